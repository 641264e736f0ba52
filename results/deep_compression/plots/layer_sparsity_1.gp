# written by poda; rerun with: gnuplot layer_sparsity_1.gp
set terminal svg size 960,748 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'layer_sparsity_1.svg.tmp'
set datafile missing '?'
set title 'Per-layer sparsity at the highest target sparsity (mean over seeds), part 1 of 2'
set grid
set key outside below center vertical maxrows 6 box
set ylabel 'sparsity (fraction of zero weights)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set xtics nomirror rotate by -30 left
set grid ytics
plot 'layer_sparsity_1.dat' using 2:xtic(1) title 'budget / unstructured+filter+int8 / magnitude / budget_kind=bytes / budget_strategy=lookup_table / quant_kind=int8 / quant_mode=post_training / bits=8 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, finetune_epochs: 3, finetune_lr_scale: 0.2, budget: {bytes: 30294, strategy: lookup_table, forms: [unstructured, filter, int8], baselines: false}} @ –', \
     '' using 3 title 'budget / unstructured+filter+int8 / magnitude / budget_kind=bytes / budget_strategy=lookup_table / quant_kind=int8 / quant_mode=post_training / bits=8 / model.zoo=lenet5_caffe / train.lr=0.01 / train.epochs=8 / prune={criterion: magnitude, finetune_epochs: 3, finetune_lr_scale: 0.2, budget: {bytes: 52647, strategy: lookup_table, forms: [unstructured, filter, int8], baselines: false}} @ –', \
     '' using 4 title 'budget / unstructured+filter+kmeans / magnitude / budget_kind=bytes / budget_strategy=lookup_table / quant_kind=kmeans / quant_mode= / bits=8/5 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, finetune_epochs: 3, finetune_lr_scale: 0.2, budget: {bytes: 30294, strategy: lookup_table, forms: [unstructured, filter, kmeans], baselines: false}} @ –', \
     '' using 5 title 'budget / unstructured+filter+kmeans / magnitude / budget_kind=bytes / budget_strategy=lookup_table / quant_kind=kmeans / quant_mode= / bits=8/5 / model.zoo=lenet5_caffe / train.lr=0.01 / train.epochs=8 / prune={criterion: magnitude, finetune_epochs: 3, finetune_lr_scale: 0.2, budget: {bytes: 52647, strategy: lookup_table, forms: [unstructured, filter, kmeans], baselines: false}} @ –', \
     '' using 6 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=int8 / quant_mode=post_training / bits=8 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.9, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}} @ 0.90', \
     '' using 7 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=int8 / quant_mode=post_training / bits=8 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.95, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}} @ 0.95'
set terminal pngcairo size 960,748 noenhanced font 'Sans,11' background '#ffffff'
set output 'layer_sparsity_1.png.tmp'
replot
unset output
