# written by poda; rerun with: gnuplot latency_b1_vs_sparsity.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'latency_b1_vs_sparsity.svg.tmp'
set datafile missing '?'
set title 'Inference latency at batch 1 vs achieved sparsity (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'achieved sparsity'
set ylabel 'latency per batch (us)'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
set yrange [0:*]
plot 'latency_b1_vs_sparsity.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table (dense)', \
     'latency_b1_vs_sparsity.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 2 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt (dense)', \
     'latency_b1_vs_sparsity.dat' index 2 using 1:2:3 with yerrorlines lw 2 pt 3 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table (sparse)', \
     'latency_b1_vs_sparsity.dat' index 3 using 1:2:3 with yerrorlines lw 2 pt 4 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt (sparse)', \
     'latency_b1_vs_sparsity.dat' index 4 using 1:2:3 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table (compact)', \
     'latency_b1_vs_sparsity.dat' index 5 using 1:2:3 with yerrorlines lw 2 pt 6 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt (compact)'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'latency_b1_vs_sparsity.png.tmp'
replot
unset output
