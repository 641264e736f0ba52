# written by poda; rerun with: gnuplot accuracy_vs_compressed_size.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'accuracy_vs_compressed_size.svg.tmp'
set datafile missing '?'
set title 'Test accuracy of the quantized model vs its stored size (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'stored bytes: indices, codes, codebooks or scales, biases (log scale)'
set ylabel 'test accuracy, quantized'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
set logscale x
plot 'accuracy_vs_compressed_size.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'budget / unstructured / magnitude / budget_strategy=uniform / prune.budget.forms=[unstructured]', \
     'accuracy_vs_compressed_size.dat' index 1 using 1:2:3 with yerrorlines lw 2 pt 2 ps 0.8 dt 1 title 'budget / unstructured+filter+kmeans / magnitude / budget_strategy=lookup_table / prune.budget.forms=[unstructured, filter, kmeans]'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'accuracy_vs_compressed_size.png.tmp'
replot
unset output
