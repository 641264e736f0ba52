# written by poda; rerun with: gnuplot accuracy_per_round.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'accuracy_per_round.svg.tmp'
set datafile missing '?'
set title 'Test accuracy after each round vs remaining weights (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'remaining fraction of prunable weights (log scale; 1 = dense, round 0)'
set ylabel 'test accuracy'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
set logscale x
plot 'accuracy_per_round.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'schedule=iterative, prune.finetune_epochs=2 @ 0.50', \
     'accuracy_per_round.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 2 ps 0.8 dt 1 title 'schedule=iterative, prune.finetune_epochs=2 @ 0.75', \
     'accuracy_per_round.dat' index 2 using 1:2:3 with yerrorlines lw 2 pt 3 ps 0.8 dt 1 title 'schedule=iterative, prune.finetune_epochs=2 @ 0.90', \
     'accuracy_per_round.dat' index 3 using 1:2:3 with yerrorlines lw 2 pt 4 ps 0.8 dt 1 title 'schedule=iterative, prune.finetune_epochs=2 @ 0.95', \
     'accuracy_per_round.dat' index 4 using 1:2:3 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 title 'schedule=iterative, prune.finetune_epochs=2 @ 0.98'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'accuracy_per_round.png.tmp'
replot
unset output
