# written by poda; rerun with: gnuplot layer_sparsity_2.gp
set terminal svg size 1576,676 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'layer_sparsity_2.svg.tmp'
set datafile missing '?'
set title 'Per-layer sparsity at the highest target sparsity (mean over seeds), part 2 of 2'
set grid
set key outside below center vertical maxrows 2 box
set ylabel 'sparsity (fraction of zero weights)'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set xtics nomirror rotate by -30 left
set grid ytics
plot 'layer_sparsity_2.dat' using 2:xtic(1) title 'one_shot / unstructured / wanda / prune.granularity= @ 0.70', \
     '' using 3 title 'one_shot / unstructured / wanda_layer / prune.granularity= @ 0.70'
set terminal pngcairo size 1576,676 noenhanced font 'Sans,11' background '#ffffff'
set output 'layer_sparsity_2.png.tmp'
replot
unset output
