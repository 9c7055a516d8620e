#!/bin/bash
# make check: every fuzz target over its seed corpus and its recorded crashes (see tests/fuzz/).
exec "$(dirname "$0")/../fuzz/regress.sh"
