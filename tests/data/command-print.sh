#!/bin/sh
# Prints its first argument as stdout text (printf escapes allowed), exits with $2 (default 0).
printf "$1"
exit "${2:-0}"
