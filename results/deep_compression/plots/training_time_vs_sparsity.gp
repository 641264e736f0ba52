# written by poda; rerun with: gnuplot training_time_vs_sparsity.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'training_time_vs_sparsity.svg.tmp'
set datafile missing '?'
set title 'Training time after the dense model vs achieved sparsity (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'achieved sparsity'
set ylabel 'fine-tuning / sparse training time (s)'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
set yrange [0:*]
plot 'training_time_vs_sparsity.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=int8 / quant_mode=post_training / bits=8 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.9, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}}', \
     'training_time_vs_sparsity.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 2 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=int8 / quant_mode=post_training / bits=8 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.95, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}}', \
     'training_time_vs_sparsity.dat' index 2 using 1:2:3 with yerrorlines lw 2 pt 3 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=int8 / quant_mode=post_training / bits=8 / model.zoo=lenet5_caffe / train.lr=0.01 / train.epochs=8 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.9, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}}', \
     'training_time_vs_sparsity.dat' index 3 using 1:2:3 with yerrorlines lw 2 pt 4 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=kmeans / quant_mode= / bits=8/5 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.9, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}}', \
     'training_time_vs_sparsity.dat' index 4 using 1:2:3 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=kmeans / quant_mode= / bits=8/5 / model.zoo=lenet300_100 / train.lr=0.05 / train.epochs=3 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.95, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}}', \
     'training_time_vs_sparsity.dat' index 5 using 1:2:3 with yerrorlines lw 2 pt 6 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / budget_kind= / budget_strategy= / quant_kind=kmeans / quant_mode= / bits=8/5 / model.zoo=lenet5_caffe / train.lr=0.01 / train.epochs=8 / prune={criterion: magnitude, granularity: unstructured, scope: layer, sparsity: 0.9, finetune_epochs: 3, finetune_lr_scale: 0.2, schedule: {kind: one_shot}}'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'training_time_vs_sparsity.png.tmp'
replot
unset output
