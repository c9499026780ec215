#!/bin/sh
# Forks a sleeping child, writes its pid to $1, then sleeps itself: a timeout must end both.
sleep 30 &
echo $! > "$1"
sleep 30
echo 1
