# written by poda; rerun with: gnuplot layer_sparsity.gp
set terminal svg size 960,676 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'layer_sparsity.svg.tmp'
set datafile missing '?'
set title 'Per-layer sparsity at the highest target sparsity (mean over seeds)'
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
plot 'layer_sparsity.dat' using 2:xtic(1) title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table / prune.budget.baselines=true @ –', \
     '' using 3 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt / prune.budget.baselines=false @ –'
set terminal pngcairo size 960,676 noenhanced font 'Sans,11' background '#ffffff'
set output 'layer_sparsity.png.tmp'
replot
unset output
