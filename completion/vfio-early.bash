# bash completion for vfio-early(8): commands, options, the PCI functions of
# this machine (from /sys, or from --root=DIR's tree) for add and xml, and the
# configured devices for remove. Installed by 'make install' into
# /usr/share/bash-completion/completions/vfio-early.

# The system tree the command line works on: --root=DIR, --root DIR, or VFIO_EARLY_ROOT.
_vfio_early_root()
{
	local i
	for ((i = 0; i < ${#_vfe_words[@]}; i++)); do
		case ${_vfe_words[i]} in
		--root=*) printf '%s' "${_vfe_words[i]#--root=}"; return ;;
		--root) printf '%s' "${_vfe_words[i + 1]}"; return ;;
		esac
	done
	printf '%s' "${VFIO_EARLY_ROOT:-}"
}

# Every PCI function, as the kernel names it: 0000:01:00.0
_vfio_early_pci()
{
	local d
	for d in "$1"/sys/bus/pci/devices/*; do
		[ -e "$d" ] && printf '%s\n' "${d##*/}"
	done
}

# What the config's "device" lines name: an address or a vendor:device id
_vfio_early_configured()
{
	local f
	for f in "$1"/etc/vfio-early.conf "$1"/etc/vfio-early.d/*.conf; do
		[ -r "$f" ] && while read -r w1 w2 _; do
			[ "$w1" = device ] && printf '%s\n' "$w2"
		done <"$f"
	done
}

_vfio_early()
{
	# the words as the user typed them: bash splits COMP_WORDS at ':' and '=', which addresses and --root= hold
	local line=${COMP_LINE:0:COMP_POINT} cur verb= sub= i w opts= words= global
	read -ra _vfe_words <<<"$line"
	if [[ $line == *[[:space:]] ]]; then cur=; else cur=${_vfe_words[-1]}; unset '_vfe_words[-1]'; fi
	for ((i = 1; i < ${#_vfe_words[@]}; i++)); do
		w=${_vfe_words[i]}
		case $w in
		--root | --domain) ((i++)) ;;
		-*) ;;
		*) if [ -z "$verb" ]; then verb=$w; elif [ "$verb" = boot ] && [ -z "$sub" ]; then sub=$w; fi ;;
		esac
	done
	local prev=${_vfe_words[-1]} root
	root=$(_vfio_early_root)
	global="--root= -q --quiet -h --help --version"
	COMPREPLY=()
	case $prev in
	--root)
		mapfile -t COMPREPLY < <(compgen -d -- "$cur")
		return ;;
	--domain)
		mapfile -t COMPREPLY < <(compgen -W "$(virsh list --all --name 2>/dev/null)" -- "$cur")
		return ;;
	esac
	if [[ $cur == --root=* ]]; then
		mapfile -t COMPREPLY < <(compgen -d -- "${cur#--root=}")
		return
	fi
	case $verb in
	"") words="status list add remove check xml boot confirm" ;;
	status | check) opts="--json" ;;
	list) opts="-v --verbose --all --json" ;;
	add) opts="--group --function --allow-boot-vga --allow-storage --dry-run" words=$(_vfio_early_pci "$root") ;;
	remove) opts="--dry-run" words=$(_vfio_early_configured "$root") ;;
	xml) opts="--xml --qemu --features --domain --dry-run" words=$(_vfio_early_pci "$root") ;;
	confirm) opts="--auto --timeout= --session --dry-run" ;;
	boot)
		case $sub in
		"") words="show install remove recovery passthrough menu refresh" ;;
		show) opts="--json" ;;
		install) opts="--ignore-msrs --no-update --fallback= --no-fallback --dry-run" ;;
		remove) opts="--no-update --dry-run" ;;
		recovery) opts="--next --default --firmware --dry-run" ;;
		passthrough) opts="--next --default --dry-run" ;;
		menu) opts="--next --dry-run" ;;
		refresh) opts="--dry-run" ;;
		esac ;;
	esac
	if [[ $cur == -* ]]; then
		mapfile -t COMPREPLY < <(compgen -W "$opts $global" -- "$cur")
	else
		mapfile -t COMPREPLY < <(compgen -W "$words" -- "$cur")
	fi
	# bash replaces only the part of the word after its last ':' or '=': hand it that part
	if [[ $cur == *[:=]* && $COMP_WORDBREAKS == *:* ]]; then
		local pre=${cur%"${cur##*[:=]}"}
		COMPREPLY=("${COMPREPLY[@]#"$pre"}")
	fi
	[[ ${COMPREPLY[0]:-} == --root= ]] && compopt -o nospace 2>/dev/null
	return 0
}
complete -F _vfio_early vfio-early
