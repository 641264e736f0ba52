# written by poda; rerun with: gnuplot accuracy_vs_latency_b64.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'accuracy_vs_latency_b64.svg.tmp'
set datafile missing '?'
set title 'Test accuracy vs measured latency at batch 64 (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'latency per batch (us, log scale)'
set ylabel 'test accuracy'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
set logscale x
plot 'accuracy_vs_latency_b64.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table (dense)', \
     'accuracy_vs_latency_b64.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 2 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt (dense)', \
     'accuracy_vs_latency_b64.dat' index 2 using 1:2:3 with yerrorlines lw 2 pt 3 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table (sparse)', \
     'accuracy_vs_latency_b64.dat' index 3 using 1:2:3 with yerrorlines lw 2 pt 4 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt (sparse)', \
     'accuracy_vs_latency_b64.dat' index 4 using 1:2:3 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=lookup_table (compact)', \
     'accuracy_vs_latency_b64.dat' index 5 using 1:2:3 with yerrorlines lw 2 pt 6 ps 0.8 dt 1 title 'budget / unstructured+filter / magnitude / budget_strategy=netadapt (compact)'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'accuracy_vs_latency_b64.png.tmp'
replot
unset output
