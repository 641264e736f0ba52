# written by poda; rerun with: gnuplot accuracy_per_setting.gp
set terminal svg size 960,658 dynamic noenhanced font 'Sans,12' background '#ffffff'
set output 'accuracy_per_setting.svg.tmp'
set datafile missing '?'
set title 'Test accuracy per setting (mean ± std over seeds)'
set grid
set key outside below center vertical maxrows 1 box
set ylabel 'test accuracy'
set style data histogram
set style histogram errorbars gap 1 lw 1
set style fill solid 0.85 border -1
set boxwidth 0.9
set yrange [0:*]
set xtics nomirror rotate by -30 left
set grid ytics
plot 'accuracy_per_setting.dat' using 2:3:xtic(1) title 'test accuracy'
set terminal pngcairo size 960,658 noenhanced font 'Sans,11' background '#ffffff'
set output 'accuracy_per_setting.png.tmp'
replot
unset output
