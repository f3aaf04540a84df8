# shellcheck shell=bash
# A throw-away sshd for the remote tests, sourced after a test library that
# sets T_DIR and cleans it up.  r_sshd starts sshd on 127.0.0.1 at a free
# high port with its own host key, user key and config, and points
# vfiomigtop's ssh at it:
#   ssh://vfiotest/PATH         (an alias in the temporary ssh config)
#   ssh://USER@127.0.0.1:PORT/PATH
# Exits 77 (skip) only when sshd or ssh is not installed.

R_SSHD=${R_SSHD:-/usr/sbin/sshd}
R_USER=$(id -un)

# r_free_port: a TCP port on 127.0.0.1 that nothing listens on now.
r_free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# r_sshd_kill: stop the sshd this test started (by its pid).
r_sshd_kill() {
	[ -n "${R_SSHD_PID:-}" ] && kill "$R_SSHD_PID" 2>/dev/null
	[ -n "${R_SSHD_PID:-}" ] && wait "$R_SSHD_PID" 2>/dev/null
	R_SSHD_PID=
}

r_sshd() {
	local d=$T_DIR/ssh try
	[ -x "$R_SSHD" ] || { echo "SKIP: sshd not installed (apt-get install openssh-server)"; exit 77; }
	command -v ssh >/dev/null && command -v ssh-keygen >/dev/null ||
		{ echo "SKIP: ssh not installed (apt-get install openssh-client)"; exit 77; }
	mkdir -p "$d" && chmod 700 "$d"
	ssh-keygen -q -t ed25519 -N '' -f "$d/host_key" || return 1
	ssh-keygen -q -t ed25519 -N '' -f "$d/user_key" || return 1
	cp "$d/user_key.pub" "$d/authorized_keys"
	# sshd wants its privilege separation directory when run as root.
	[ "$(id -u)" = 0 ] && [ ! -d /run/sshd ] && mkdir -p -m 755 /run/sshd
	for try in 1 2 3 4 5; do
		R_PORT=$(r_free_port)
		cat >"$d/sshd_config" <<EOF
Port $R_PORT
ListenAddress 127.0.0.1
HostKey $d/host_key
AuthorizedKeysFile $d/authorized_keys
PidFile $d/sshd.pid
StrictModes no
UsePAM no
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
AllowUsers $R_USER
PrintMotd no
MaxStartups 100
MaxSessions 100
EOF
		cat >"$d/config" <<EOF
Host vfiotest 127.0.0.1
	HostName 127.0.0.1
	Port $R_PORT
	User $R_USER
	IdentityFile $d/user_key
	IdentitiesOnly yes
	UserKnownHostsFile $d/known_hosts
	StrictHostKeyChecking no
	LogLevel ERROR
EOF
		"$R_SSHD" -D -e -f "$d/sshd_config" -E "$d/sshd.log" &
		R_SSHD_PID=$!
		[ "$try" = 1 ] && declare -F t_at_exit >/dev/null && t_at_exit r_sshd_kill
		if t_wait_for_ssh; then
			export VFIOMIGTOP_SSH_OPTS="-F $d/config"
			export VFIOMIGTOP_REMOTE_CMD=$VFIOMIGTOP
			return 0
		fi
		r_sshd_kill
	done
	echo "sshd did not start:"
	sed 's/^/    | /' "$d/sshd.log"
	return 1
}

# t_wait_for_ssh: ssh into the test sshd works (up to 5 s).
t_wait_for_ssh() {
	local i
	for i in $(seq 1 100); do
		kill -0 "$R_SSHD_PID" 2>/dev/null || return 1
		ssh -F "$T_DIR/ssh/config" -o BatchMode=yes vfiotest true 2>/dev/null && return 0
		sleep 0.05
	done
	return 1
}
