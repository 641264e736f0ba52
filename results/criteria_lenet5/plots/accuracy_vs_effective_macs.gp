# written by poda; rerun with: gnuplot accuracy_vs_effective_macs.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'accuracy_vs_effective_macs.svg.tmp'
set datafile missing '?'
set title 'Test accuracy vs effective MACs (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'effective MACs per sample (log scale)'
set ylabel 'test accuracy'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
set logscale x
plot 'accuracy_vs_effective_macs.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'one_shot / unstructured / lamp / scope=global', \
     'accuracy_vs_effective_macs.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 2 ps 0.8 dt 1 title 'one_shot / unstructured / lamp / scope=layer', \
     'accuracy_vs_effective_macs.dat' index 2 using 1:2:3 with yerrorlines lw 2 pt 3 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / scope=global', \
     'accuracy_vs_effective_macs.dat' index 3 using 1:2:3 with yerrorlines lw 2 pt 4 ps 0.8 dt 1 title 'one_shot / unstructured / magnitude / scope=layer', \
     'accuracy_vs_effective_macs.dat' index 4 using 1:2:3 with yerrorlines lw 2 pt 5 ps 0.8 dt 1 title 'one_shot / unstructured / movement / scope=global', \
     'accuracy_vs_effective_macs.dat' index 5 using 1:2:3 with yerrorlines lw 2 pt 6 ps 0.8 dt 1 title 'one_shot / unstructured / movement / scope=layer', \
     'accuracy_vs_effective_macs.dat' index 6 using 1:2:3 with yerrorlines lw 2 pt 7 ps 0.8 dt 1 title 'one_shot / unstructured / random / scope=global', \
     'accuracy_vs_effective_macs.dat' index 7 using 1:2:3 with yerrorlines lw 2 pt 8 ps 0.8 dt 1 title 'one_shot / unstructured / random / scope=layer', \
     'accuracy_vs_effective_macs.dat' index 8 using 1:2:3 with yerrorlines lw 2 pt 9 ps 0.8 dt 2 title 'one_shot / unstructured / snip / scope=global', \
     'accuracy_vs_effective_macs.dat' index 9 using 1:2:3 with yerrorlines lw 2 pt 10 ps 0.8 dt 2 title 'one_shot / unstructured / snip / scope=layer', \
     'accuracy_vs_effective_macs.dat' index 10 using 1:2:3 with yerrorlines lw 2 pt 11 ps 0.8 dt 2 title 'one_shot / unstructured / taylor / scope=global', \
     'accuracy_vs_effective_macs.dat' index 11 using 1:2:3 with yerrorlines lw 2 pt 12 ps 0.8 dt 2 title 'one_shot / unstructured / taylor / scope=layer'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'accuracy_vs_effective_macs.png.tmp'
replot
unset output
