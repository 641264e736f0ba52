# written by poda; rerun with: gnuplot accuracy_vs_sparsity.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'accuracy_vs_sparsity.svg.tmp'
set datafile missing '?'
set title 'Test accuracy vs achieved sparsity (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'achieved sparsity (fraction of prunable weights that are zero)'
set ylabel 'test accuracy'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
plot 'accuracy_vs_sparsity.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table', \
     'accuracy_vs_sparsity.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 2 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt', \
     0.910433333 with lines lw 1.5 lc rgb 'gray40' dt 2 title 'dense model'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'accuracy_vs_sparsity.png.tmp'
replot
unset output
