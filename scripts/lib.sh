# Shared by the project's shell scripts (sourced): logging, root, and Debian packages. Set LOG_TAG first.
log() { printf '[%s] %s\n' "${LOG_TAG:-sibyl}" "$*" >&2; }

as_root() {
	if [ "$(id -u)" = 0 ]; then "$@";
	elif command -v sudo >/dev/null 2>&1; then sudo "$@";
	else log "need root for: $*"; return 1; fi
}

# Installs the Debian packages of "$@" that are missing (one `apt-get update` per script run, only if needed).
apt_updated=0
apt_install() {
	local missing=()
	for p in "$@"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ $apt_updated = 0 ]; then
		log "apt-get update"
		as_root apt-get update -qq >/dev/null
		apt_updated=1
	fi
	log "apt-get install ${missing[*]}"
	as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}
