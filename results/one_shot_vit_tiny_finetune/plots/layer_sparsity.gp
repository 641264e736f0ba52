# written by poda; rerun with: gnuplot layer_sparsity.gp
set terminal svg size 2400,748 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'layer_sparsity.svg.tmp'
set datafile missing '?'
set title 'Per-layer sparsity at the highest target sparsity (mean over seeds)'
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
plot 'layer_sparsity.dat' using 2:xtic(1) title 'one_shot / n_m / magnitude / prune.granularity={kind: n_m, n: 2, m: 4} @ 0.50', \
     '' using 3 title 'one_shot / n_m / sparsegpt / prune.granularity={kind: n_m, n: 2, m: 4} @ 0.50', \
     '' using 4 title 'one_shot / n_m / wanda / prune.granularity={kind: n_m, n: 2, m: 4} @ 0.50', \
     '' using 5 title 'one_shot / unstructured / magnitude / prune.granularity= @ 0.70', \
     '' using 6 title 'one_shot / unstructured / sparsegpt / prune.granularity= @ 0.70', \
     '' using 7 title 'one_shot / unstructured / wanda / prune.granularity= @ 0.70'
set terminal pngcairo size 2400,748 noenhanced font 'Sans,11' background '#ffffff'
set output 'layer_sparsity.png.tmp'
replot
unset output
