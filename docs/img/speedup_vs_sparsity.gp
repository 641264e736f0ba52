# written by poda; rerun with: gnuplot speedup_vs_sparsity.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'speedup_vs_sparsity.svg.tmp'
set datafile missing '?'
set title 'Inference speed-up over the dense folded model (one thread)'
set grid
set key outside right top vertical box
set xlabel 'sparsity (unstructured) or units removed (structured), %'
set ylabel 'speed-up over dense'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
plot 'speedup_vs_sparsity.dat' index 0 using 1:2 with linespoints lw 2 pt 1 ps 0.8 dt 1 title 'LeNet-300-100 sparse b1', \
     'speedup_vs_sparsity.dat' index 1 using 1:2 with linespoints lw 2 pt 2 ps 0.8 dt 1 title 'LeNet-300-100 sparse b64', \
     'speedup_vs_sparsity.dat' index 2 using 1:2 with linespoints lw 2 pt 3 ps 0.8 dt 1 title 'LeNet-300-100 compacted b64', \
     'speedup_vs_sparsity.dat' index 3 using 1:2 with linespoints lw 2 pt 4 ps 0.8 dt 1 title 'LeNet-5 sparse b1', \
     'speedup_vs_sparsity.dat' index 4 using 1:2 with linespoints lw 2 pt 5 ps 0.8 dt 1 title 'LeNet-5 sparse b64', \
     'speedup_vs_sparsity.dat' index 5 using 1:2 with linespoints lw 2 pt 6 ps 0.8 dt 1 title 'LeNet-5 compacted b64', \
     'speedup_vs_sparsity.dat' index 6 using 1:2 with linespoints lw 2 pt 7 ps 0.8 dt 1 title 'LeNet-5 Caffe sparse b1', \
     'speedup_vs_sparsity.dat' index 7 using 1:2 with linespoints lw 2 pt 8 ps 0.8 dt 1 title 'LeNet-5 Caffe sparse b64', \
     'speedup_vs_sparsity.dat' index 8 using 1:2 with linespoints lw 2 pt 9 ps 0.8 dt 2 title 'LeNet-5 Caffe compacted b64', \
     'speedup_vs_sparsity.dat' index 9 using 1:2 with linespoints lw 2 pt 10 ps 0.8 dt 2 title 'Conv-4 sparse b1', \
     'speedup_vs_sparsity.dat' index 10 using 1:2 with linespoints lw 2 pt 11 ps 0.8 dt 2 title 'Conv-4 sparse b64', \
     'speedup_vs_sparsity.dat' index 11 using 1:2 with linespoints lw 2 pt 12 ps 0.8 dt 2 title 'Conv-4 compacted b64'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'speedup_vs_sparsity.png.tmp'
replot
unset output
