# written by poda; rerun with: gnuplot training_time_vs_sparsity.gp
set terminal svg size 960,600 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'training_time_vs_sparsity.svg.tmp'
set datafile missing '?'
set title 'Training time after the dense model vs achieved sparsity (mean ± std over seeds)'
set grid
set key outside right top vertical box
set xlabel 'achieved sparsity'
set ylabel 'fine-tuning / sparse training time (s)'
set offsets graph 0.02, graph 0.02, graph 0.05, graph 0.05
set yrange [0:*]
plot 'training_time_vs_sparsity.dat' index 0 using 1:2:3 with yerrorlines lw 2 pt 1 ps 0.8 dt 1 title 'one_shot / head / magnitude'
set terminal pngcairo size 960,600 noenhanced font 'Sans,11' background '#ffffff'
set output 'training_time_vs_sparsity.png.tmp'
replot
unset output
