# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# End-to-end tests of the network sensor and network rules, sourced by
# run.sh (POSIX sh). Traffic never leaves the machine: loopback, and a
# test host in a network namespace joined to ours by a veth pair, with
# addresses from the benchmarking ranges (198.18.0.0/15, 2001:2::/48):
#   here   pgv0-$$  198.18.0.1/24  2001:2::1/64
#   NETNS  pgv1-$$  198.18.0.2/24  2001:2::2/64
# The workloads are pg-net (tests/helpers/pg-net.c): TCP server and
# client with byte counts, UDP sends. Each event is found by its process
# id and its remote port.

NET=$(readlink -f "$PG_HELPERS/pg-net" 2>/dev/null)
# iproute2's, not busybox's (no netns): first where Debian puts it
IP=$(for _i in /usr/sbin/ip /sbin/ip /bin/ip "$(command -v ip)"; do [ -x "$_i" ] && echo "$_i" && break; done)
NETNS="pgnet-$$"
NET_UP=0
NET_LO=0 # 1: no veth here (a kernel without the module): both ends on lo

# nx CMD…: run CMD in the test host's namespace
nx() { "$IP" netns exec "$NETNS" "$@"; }

# Without veth (the VM kernels build it as a module, which the test
# image does not carry) both addresses go on lo: the same connections,
# in one namespace.
net_setup_lo() {
	NET_LO=1
	"$IP" addr add 198.18.0.1/32 dev lo &&
		"$IP" addr add 198.18.0.2/32 dev lo &&
		"$IP" -6 addr add 2001:2::1/128 dev lo &&
		"$IP" -6 addr add 2001:2::2/128 dev lo
}

net_setup() {
	[ -n "$IP" ] || return 1
	"$IP" netns add "$NETNS" || return 1
	NET_UP=1
	if ! "$IP" link add "pgv0-$$" type veth peer name "pgv1-$$" 2>/dev/null; then
		"$IP" netns del "$NETNS"
		net_setup_lo
		return
	fi
	"$IP" link set "pgv1-$$" netns "$NETNS" || return 1
	"$IP" addr add 198.18.0.1/24 dev "pgv0-$$" || return 1
	"$IP" -6 addr add 2001:2::1/64 dev "pgv0-$$" nodad || return 1
	"$IP" link set "pgv0-$$" up || return 1
	nx "$IP" addr add 198.18.0.2/24 dev "pgv1-$$" || return 1
	nx "$IP" -6 addr add 2001:2::2/64 dev "pgv1-$$" nodad || return 1
	nx "$IP" link set "pgv1-$$" up || return 1
	nx "$IP" link set lo up || return 1
}

net_cleanup() {
	[ "$NET_UP" = 1 ] || return 0
	if [ "$NET_LO" = 1 ]; then
		for _a in 198.18.0.1/32 198.18.0.2/32; do "$IP" addr del $_a dev lo; done
		for _a in 2001:2::1/128 2001:2::2/128; do "$IP" -6 addr del $_a dev lo; done
	else
		"$IP" link del "pgv0-$$" 2>/dev/null
		"$IP" netns del "$NETNS" 2>/dev/null
	fi
	NET_UP=0
}

# serve NAME ADDR PORT [pg-net serve options…]: a server in the test
# host's namespace (NAME=nx) or here (NAME=here); SPID its pid. Waits
# until it listens.
serve() {
	__sw=$1 __sa=$2 __sp=$3
	shift 3
	rm -f "$WORK/serve.ready"
	# not through nx(): a function in the background is a subshell that forks
	if [ "$__sw" = nx ] && [ "$NET_LO" = 0 ]; then
		"$IP" netns exec "$NETNS" "$NET" serve "$__sa" "$__sp" --ready "$WORK/serve.ready" "$@" >"$WORK/serve.out" 2>&1 &
	else
		"$NET" serve "$__sa" "$__sp" --ready "$WORK/serve.ready" "$@" >"$WORK/serve.out" 2>&1 &
	fi
	SPID=$!
	__sn=0
	while [ ! -e "$WORK/serve.ready" ] && [ $__sn -lt 50 ]; do
		sleep 0.1
		__sn=$((__sn + 1))
	done
	[ -e "$WORK/serve.ready" ]
}

# client CMD…: run a pg-net client in the background, CPID its pid, CRC its status
client() {
	"$@" >"$WORK/client.out" 2>&1 &
	CPID=$!
	wait $CPID
	CRC=$?
}

# nev TEST AGENT TYPE PID PORT [JQ]: wait for the TYPE event of PID with
# remote (listen: local) port PORT; NX is the event, or fail TEST.
nev() {
	__nk=remote_port
	[ "$3" = network_listen ] && __nk=local_port
	__nc=".$3.socket.$__nk == $5"
	[ -n "${6:-}" ] && __nc="$__nc and ($6)"
	# after one miss, the rest wait less: the agent may be gone
	event_of "$1" "$2" "$3" "$4" "$__nc" "$NET_WAIT" "port $5${6:+ with $6}" || {
		NET_WAIT=$SLOW
		return 1
	}
	NX=$EV
}

# The policy most tests run under: every network event, reported.
n_policy_all() {
	cat >"$WORK/nall.yaml" <<'EOF'
name: net-all
rules:
  # first, so that it is the rule named when it matches (net_dns)
  - name: named
    on: [network_connect, dns_query, dns_answer]
    match:
      dns_name: {suffix: [.example]}
      not:
        dns_name: [other.example]
  - name: everything
    on: [network_connect, network_accept, network_close, network_listen, network_udp, dns_query, dns_answer]
  - name: reverse-shell
    on: [process_exec]
    match:
      stdio_socket: true
  - name: execs
    on: [process_exec]
EOF
}

# Outbound TCP over IPv4: the call, then established, then the close with
# the bytes each side sent (the server answers 300 bytes).
t_net_connect_v4() {
	serve nx 198.18.0.2 4401 --reply 300 || { fail net_connect_v4 "server did not start"; return; }
	client "$NET" connect 198.18.0.2 4401 --send 1000
	wait $SPID
	[ "$CRC" = 0 ] || { fail net_connect_v4 "client: $(cat "$WORK/client.out")"; return; }
	nev net_connect_v4 net network_connect $CPID 4401 '.network_connect.state == "call"' || return
	check net_connect_v4 "$NX" '.network_connect.socket.family == "ipv4" and
		.network_connect.socket.protocol == "tcp" and
		.network_connect.socket.remote_address == "198.18.0.2" and
		.network_connect.process_from_socket == null and
		(.network_connect.socket.cookie | tonumber) > 0' || return
	_cookie=$(js "$NX" | jq -r .network_connect.socket.cookie)
	nev net_connect_v4 net network_connect $CPID 4401 '.network_connect.state == "established"' || return
	_lport=$(sed -n 's/^connected local_port=//p' "$WORK/client.out")
	# on lo, the kernel picks the destination itself as the source
	_l4=198.18.0.1
	[ "$NET_LO" = 1 ] && _l4=198.18.0.2
	check net_connect_v4 "$NX" ".network_connect.socket.cookie == \"$_cookie\" and
		.network_connect.process_from_socket == true and
		.network_connect.socket.local_address == \"$_l4\" and
		.network_connect.socket.local_port == ${_lport:-0}" || return
	nev net_connect_v4 net network_close $CPID 4401 || return
	check net_connect_v4 "$NX" ".network_close.socket.cookie == \"$_cookie\" and
		.network_close.process_from_socket == true and
		.network_close.bytes_sent == \"1000\" and .network_close.bytes_received == \"300\" and
		(.network_close.duration_ns | tonumber) > 0" && ok net_connect_v4
}

# Outbound TCP over IPv6, and the test host's namespace named in the accept
t_net_connect_v6() {
	serve nx 2001:2::2 4402 --reply 10 || { fail net_connect_v6 "server did not start"; return; }
	client "$NET" connect 2001:2::2 4402 --send 20
	wait $SPID
	[ "$CRC" = 0 ] || { fail net_connect_v6 "client: $(cat "$WORK/client.out")"; return; }
	nev net_connect_v6 net network_connect $CPID 4402 '.network_connect.state == "established"' || return
	check net_connect_v6 "$NX" '.network_connect.socket.family == "ipv6" and
		.network_connect.socket.remote_address == "2001:2::2" and
		.network_connect.socket.local_address == "'"$([ "$NET_LO" = 1 ] && echo 2001:2::2 || echo 2001:2::1)"'"' || return
	nev net_connect_v6 net network_accept $SPID "$(js "$NX" | jq .network_connect.socket.local_port)" || return
	_here=$(readlink /proc/self/ns/net | tr -dc 0-9)
	[ "$NET_LO" = 1 ] && _here=0 # one namespace: nothing to tell apart
	# the accept's own view: the addresses from the accepted socket
	check net_connect_v6 "$NX" ".network_accept.socket.netns != $_here and
		.network_accept.socket.family == \"ipv6\" and
		.network_accept.socket.local_address == \"2001:2::2\" and
		.network_accept.socket.local_port == 4402 and
		.network_accept.socket.remote_address == \"$([ "$NET_LO" = 1 ] && echo 2001:2::2 || echo 2001:2::1)\"" &&
		ok net_connect_v6
}

# Inbound TCP: the accept, in the accepting process, and its close
t_net_accept() {
	serve here 198.18.0.1 4403 --reply 7 || { fail net_accept "server did not start"; return; }
	if [ "$NET_LO" = 1 ]; then
		client "$NET" connect 198.18.0.1 4403 --send 5
	else
		client "$IP" netns exec "$NETNS" "$NET" connect 198.18.0.1 4403 --send 5
	fi
	wait $SPID
	[ "$CRC" = 0 ] || { fail net_accept "client: $(cat "$WORK/client.out")"; return; }
	_rport=$(sed -n 's/^connected local_port=//p' "$WORK/client.out")
	nev net_accept net network_accept $SPID "${_rport:-0}" || return
	check net_accept "$NX" '.network_accept.socket.remote_address == "'"$([ "$NET_LO" = 1 ] && echo 198.18.0.1 || echo 198.18.0.2)"'" and
		.network_accept.socket.local_port == 4403' || return
	nev net_accept net network_close $SPID "${_rport:-0}" || return
	check net_accept "$NX" '.network_close.bytes_sent == "7" and
		.network_close.bytes_received == "5"' || return
	nev net_accept net network_listen $SPID 4403 && ok net_accept
}

# Inbound TCP through io_uring: the accept enters no accept system call,
# and is reported all the same, marked io_uring
t_net_accept_io_uring() {
	__why=$(echo "$PROBE" | jq -r '.unavailable[]? | select(.event == "network_accept" and .kind == "io_uring") | .why')
	if [ -n "$__why" ]; then
		skip net_accept_io_uring "probe: $__why"
		return
	fi
	if ! serve here 198.18.0.1 4409 --accept io_uring; then
		if grep -q "io_uring_setup" "$WORK/serve.out"; then
			skip net_accept_io_uring "no io_uring here: $(head -c 200 "$WORK/serve.out")"
		else
			fail net_accept_io_uring "server did not start: $(head -c 300 "$WORK/serve.out")"
		fi
		return
	fi
	if [ "$NET_LO" = 1 ]; then
		client "$NET" connect 198.18.0.1 4409 --send 3
	else
		client "$IP" netns exec "$NETNS" "$NET" connect 198.18.0.1 4409 --send 3
	fi
	wait $SPID
	_src=$?
	[ "$CRC" = 0 ] && [ $_src = 0 ] ||
		{ fail net_accept_io_uring "client: $(cat "$WORK/client.out"), server rc=$_src: $(head -c 300 "$WORK/serve.out")"; return; }
	_rport=$(sed -n 's/^connected local_port=//p' "$WORK/client.out")
	nev net_accept_io_uring net network_accept $SPID "${_rport:-0}" '.network_accept.io_uring == true' || return
	check net_accept_io_uring "$NX" '.network_accept.socket.local_port == 4409' || return
	nev net_accept_io_uring net network_close $SPID "${_rport:-0}" '.network_close.bytes_received == "3"' &&
		ok net_accept_io_uring
}

# Loopback, both families
t_net_loopback() {
	for _a in 127.0.0.1 ::1; do
		serve here $_a 4404 || { fail net_loopback "server on $_a did not start"; return; }
		client "$NET" connect $_a 4404 --send 3
		wait $SPID
		[ "$CRC" = 0 ] || { fail net_loopback "client to $_a: $(cat "$WORK/client.out")"; return; }
		nev net_loopback net network_connect $CPID 4404 \
			".network_connect.state == \"established\" and .network_connect.socket.remote_address == \"$_a\"" || return
	done
	ok net_loopback
}

# A connect to a closed port: refused, with its errno
t_net_refused() {
	client "$NET" connect 198.18.0.2 4405
	[ "$CRC" != 0 ] && grep -q ECONNREFUSED "$WORK/client.out" ||
		{ fail net_refused "client: rc=$CRC $(cat "$WORK/client.out")"; return; }
	nev net_refused net network_connect $CPID 4405 '.network_connect.state == "refused"' || return
	check net_refused "$NX" '.network_connect.error == "ECONNREFUSED"' && ok net_refused
}

# UDP: one network_udp per destination and window, however many datagrams
t_net_udp() {
	client "$NET" udp 198.18.0.2 4406 --count 5
	[ "$CRC" = 0 ] || { fail net_udp "client: $(cat "$WORK/client.out")"; return; }
	nev net_udp net network_udp $CPID 4406 '.network_udp.socket.protocol == "udp"' || return
	sleep 0.3
	_n=$(count_events net network_udp ".network_udp.process.pid == $CPID")
	[ "$_n" = 1 ] && ok net_udp || fail net_udp "$_n network_udp events for 5 datagrams to one destination (want 1)"
}

# The bash reverse-shell shape: bash itself connects (/dev/tcp)
t_net_bash_devtcp() {
	_bash=$(command -v bash) || { skip net_bash_devtcp "no bash here"; return; }
	serve nx 198.18.0.2 4407 || { fail net_bash_devtcp "server did not start"; return; }
	client "$_bash" -c 'exec 3<>/dev/tcp/198.18.0.2/4407; echo hi >&3'
	wait $SPID
	nev net_bash_devtcp net network_connect $CPID 4407 '.network_connect.state == "established"' || return
	check net_bash_devtcp "$NX" ".network_connect.process.binary == \"$(readlink -f "$_bash")\"" && ok net_bash_devtcp
}

# deny and kill rules on some destinations; the others keep working
t_net_deny() {
	cat >"$WORK/ndeny.yaml" <<'EOF'
name: net-deny
mode: enforce
rules:
  - name: no-4410
    on: [network_connect]
    match:
      address: [198.18.0.2/32]
      port: [4410]
    action: deny
  - name: kill-4411
    on: [network_connect, network_udp]
    match:
      address: [198.18.0.0/24]
      port: [4411]
    action: kill
  - name: no-udp-4412
    on: [network_udp]
    match:
      port: [4412]
    action: deny
  - name: others
    on: [network_connect]
  # the close alone, of accepted connections only: no accept reported
  - name: inbound-closes
    on: [network_close]
    match:
      direction: [inbound]
EOF
	pol_agent ndeny ndeny || { fail net_deny "agent with deny rules did not start"; return; }
	client "$NET" connect 198.18.0.2 4410
	_d=$CPID _drc=$CRC _dout=$(cat "$WORK/client.out")
	client "$NET" connect 198.18.0.2 4411
	_k=$CPID _krc=$CRC
	client "$NET" udp 198.18.0.2 4412
	_u=$CPID _urc=$CRC _uout=$(cat "$WORK/client.out")
	serve nx 198.18.0.2 4413 || { agent_stop ndeny; fail net_deny "server did not start"; return; }
	client "$NET" connect 198.18.0.2 4413 --send 1
	_a=$CPID _arc=$CRC
	wait $SPID
	serve here 198.18.0.1 4414 || { agent_stop ndeny; fail net_deny "local server did not start"; return; }
	_s=$SPID
	if [ "$NET_LO" = 1 ]; then
		client "$NET" connect 198.18.0.1 4414 --send 2
	else
		client "$IP" netns exec "$NETNS" "$NET" connect 198.18.0.1 4414 --send 2
	fi
	wait $_s
	_rport=$(sed -n 's/^connected local_port=//p' "$WORK/client.out")
	_e=0
	[ "$_drc" != 0 ] && echo "$_dout" | grep -q EPERM || { fail net_deny "denied connect: rc=$_drc $_dout"; _e=1; }
	[ "$_krc" = 137 ] || { fail net_deny "kill rule: client rc=$_krc (want 137)"; _e=1; }
	[ "$_urc" != 0 ] && echo "$_uout" | grep -q EPERM || { fail net_deny "denied UDP send: rc=$_urc $_uout"; _e=1; }
	[ "$_arc" = 0 ] || { fail net_deny "allowed connect failed: $(cat "$WORK/client.out")"; _e=1; }
	nev net_deny ndeny network_connect $_d 4410 && check net_deny "$NX" '.network_connect.policy.action == "deny" and
		.network_connect.error == "EPERM"' || _e=1
	nev net_deny ndeny network_connect $_k 4411 && check net_deny "$NX" '.network_connect.policy.action == "kill"' || _e=1
	nev net_deny ndeny network_udp $_u 4412 && check net_deny "$NX" '.network_udp.policy.action == "deny"' || _e=1
	nev net_deny ndeny network_close $_s "${_rport:-0}" && check net_deny "$NX" '.network_close.policy.rule == "inbound-closes" and
		.network_close.bytes_received == "2"' || _e=1
	agent_stop ndeny
	# the connect out (rule "others") has no close: the close rule is inbound only; the accept has no rule
	for _t in "network_close.*\"pid\":$_a," "network_accept.*\"pid\":$_s,"; do
		grep -q "$_t" "$WORK/ndeny.json" && { fail net_deny "unwanted event ($_t): $(grep "$_t" "$WORK/ndeny.json" | head -n 1 | cut -c1-400)"; _e=1; }
	done
	[ $_e = 0 ] && ok net_deny
}

# The built-in policy: outbound connections reported, loopback not
t_net_default() {
	agent_start ndef --no-seed || { fail net_default "agent with the built-in policies did not start"; return; }
	serve here 127.0.0.1 4420 || { agent_stop ndef; fail net_default "server did not start"; return; }
	client "$NET" connect 127.0.0.1 4420
	_lo=$CPID
	wait $SPID
	serve nx 198.18.0.2 4421 || { agent_stop ndef; fail net_default "server did not start"; return; }
	client "$NET" connect 198.18.0.2 4421
	wait $SPID
	nev net_default ndef network_connect $CPID 4421 '.network_connect.state == "established"'
	_x=$NX
	sleep 0.2
	_n=$(count_events ndef network_connect ".network_connect.process.pid == $_lo")
	agent_stop ndef
	[ -n "$_x" ] || return
	[ "$_n" = 0 ] || { fail net_default "$_n network_connect events for a loopback connection"; return; }
	check net_default "$_x" '.network_connect.policy.name == "network"' && ok net_default
}

# dns_server TEST NAME IPV4 [pg-net dns-server options…]: a test resolver
# on 198.18.0.2 (DNS_BIND if set) port 53 (in the test host's namespace)
# answering NAME with IPV4, DPID its pid; ready when this returns. 1 (TEST skipped) where the
# agent said it has no DNS events on this kernel.
dns_server() {
	__dt=$1 __dn=$2 __di=$3
	shift 3
	__why=$(sed -n 's/.*network: no DNS events on this kernel: //p' "$WORK/net.log")
	[ -n "$__why" ] && { skip "$__dt" "$__why"; return 1; }
	rm -f "$WORK/dns.ready"
	if [ "$NET_LO" = 1 ]; then
		"$NET" dns-server "${DNS_BIND:-198.18.0.2}" 53 "$__dn" "$__di" --ready "$WORK/dns.ready" "$@" >"$WORK/dns.out" 2>&1 &
	else
		"$IP" netns exec "$NETNS" "$NET" dns-server "${DNS_BIND:-198.18.0.2}" 53 "$__dn" "$__di" --ready "$WORK/dns.ready" "$@" >"$WORK/dns.out" 2>&1 &
	fi
	DPID=$!
	__n=0
	while [ ! -e "$WORK/dns.ready" ] && [ $__n -lt 50 ]; do
		sleep 0.1
		__n=$((__n + 1))
	done
	return 0
}

# A name resolved by a test resolver, then a connection to the address it
# gave: dns_query and dns_answer of the asking process, and the
# connection's remote_name. Last: every later event to 198.18.0.2 would
# carry the name.
t_net_dns() {
	dns_server net_dns pg-dns.example 198.18.0.2 || return
	client "$NET" dns-query 198.18.0.2 53 pg-dns.example
	wait $DPID
	grep -q "answer=198.18.0.2" "$WORK/client.out" || { fail net_dns "resolver: $(cat "$WORK/client.out" "$WORK/dns.out")"; return; }
	_q=$CPID
	serve nx 198.18.0.2 4440 || { fail net_dns "server did not start"; return; }
	client "$NET" connect 198.18.0.2 4440
	wait $SPID
	nev net_dns net dns_query $_q 53 || return
	check net_dns "$NX" '.dns_query.dns.name == "pg-dns.example" and .dns_query.dns.type == "A" and
		.dns_query.socket.remote_address == "198.18.0.2" and .dns_query.policy.rule == "named"' || return
	nev net_dns net dns_answer $_q 53 || return
	check net_dns "$NX" '.dns_answer.dns.rcode == "NOERROR" and
		.dns_answer.dns.answers[0].address == "198.18.0.2" and .dns_answer.dns.answers[0].ttl == 60' || return
	nev net_dns net network_connect $CPID 4440 '.network_connect.state == "established"' || return
	check net_dns "$NX" '.network_connect.socket.remote_name == "pg-dns.example" and
		.network_connect.policy.rule == "named"' || return
	# dns_name selects by the name: an unnamed address goes to the next rule
	nev net_dns net network_connect $_q 53 || return
	check net_dns "$NX" '.network_connect.policy.rule == "everything"' && ok net_dns
}

# DNS over TCP (a large answer, a zone transfer, or a resolver set to
# use-vc): the same events, each message after its 2-byte length
t_net_dns_tcp() {
	dns_server net_dns_tcp pg-tcp.example 198.18.0.3 --transport tcp || return
	client "$NET" dns-query 198.18.0.2 53 PG-TCP.Example --transport tcp
	wait $DPID
	grep -q "answer=198.18.0.3" "$WORK/client.out" || { fail net_dns_tcp "resolver: $(cat "$WORK/client.out" "$WORK/dns.out")"; return; }
	nev net_dns_tcp net dns_query $CPID 53 || return
	check net_dns_tcp "$NX" '.dns_query.socket.protocol == "tcp" and
		.dns_query.dns.name == "pg-tcp.example" and .dns_query.dns.type == "A"' || return
	nev net_dns_tcp net dns_answer $CPID 53 || return
	check net_dns_tcp "$NX" '.dns_answer.socket.protocol == "tcp" and .dns_answer.dns.rcode == "NOERROR" and
		.dns_answer.dns.answers[0].address == "198.18.0.3"' && ok net_dns_tcp
}

# DNS over TCP, pipelined as glibc does: the A and AAAA queries in one
# write, and the resolver's two answers in one: two messages in each
# segment, and each gets its own event
t_net_dns_tcp_pipelined() {
	dns_server net_dns_tcp_pipelined pg-pipe.example 198.18.0.5 --transport tcp --count 2 || return
	client "$NET" dns-query 198.18.0.2 53 pg-pipe.example --transport tcp-pipelined
	wait $DPID
	grep -q "answer=198.18.0.5" "$WORK/client.out" || { fail net_dns_tcp_pipelined "resolver: $(cat "$WORK/client.out" "$WORK/dns.out")"; return; }
	nev net_dns_tcp_pipelined net dns_query $CPID 53 '.dns_query.dns.type == "A"' || return
	nev net_dns_tcp_pipelined net dns_query $CPID 53 '.dns_query.dns.type == "AAAA"' || return
	check net_dns_tcp_pipelined "$NX" '.dns_query.socket.protocol == "tcp" and
		.dns_query.dns.name == "pg-pipe.example"' || return
	nev net_dns_tcp_pipelined net dns_answer $CPID 53 '.dns_answer.dns.type == "A"' || return
	check net_dns_tcp_pipelined "$NX" '.dns_answer.dns.answers[0].address == "198.18.0.5"' || return
	nev net_dns_tcp_pipelined net dns_answer $CPID 53 '.dns_answer.dns.type == "AAAA"' || return
	check net_dns_tcp_pipelined "$NX" '.dns_answer.dns.rcode == "NOERROR" and
		(.dns_answer.dns.answers // []) == []' && ok net_dns_tcp_pipelined
}

# DNS over IPv6 with an extension header before UDP, both ways (the
# client's and the resolver's sockets ask for a destination options
# header): a query hidden behind one is seen all the same
t_net_dns_v6_ext() {
	DNS_BIND=2001:2::2 dns_server net_dns_v6_ext pg-v6x.example 198.18.0.4 --ext-header dstopts || return
	client "$NET" dns-query 2001:2::2 53 pg-v6x.example --ext-header dstopts
	wait $DPID
	grep -q "answer=198.18.0.4" "$WORK/client.out" || { fail net_dns_v6_ext "resolver: $(cat "$WORK/client.out" "$WORK/dns.out")"; return; }
	nev net_dns_v6_ext net dns_query $CPID 53 || return
	check net_dns_v6_ext "$NX" '.dns_query.dns.name == "pg-v6x.example" and
		.dns_query.socket.remote_address == "2001:2::2"' || return
	nev net_dns_v6_ext net dns_answer $CPID 53 || return
	check net_dns_v6_ext "$NX" '.dns_answer.dns.rcode == "NOERROR" and
		.dns_answer.dns.answers[0].address == "198.18.0.4"' && ok net_dns_v6_ext
}

# One multishot accept request (5.19+) takes three connections: the
# kernel posts each completion without its request, which the sensor ties
# to the accept by the ring and user_data it noted at submission
t_net_accept_io_uring_multishot() {
	__why=$(echo "$PROBE" | jq -r '.unavailable[]? | select(.event == "network_accept" and (.kind == "io_uring" or .kind == "io_uring_multishot")) | .why' | head -n 1)
	if [ -n "$__why" ]; then
		skip net_accept_io_uring_multishot "probe: $__why"
		return
	fi
	if ! serve here 198.18.0.1 4411 --accept io_uring-multishot --count 3; then
		if grep -q "io_uring_setup" "$WORK/serve.out"; then
			skip net_accept_io_uring_multishot "no io_uring here: $(head -c 200 "$WORK/serve.out")"
		else
			fail net_accept_io_uring_multishot "server did not start: $(head -c 300 "$WORK/serve.out")"
		fi
		return
	fi
	_ports=""
	for _i in 1 2 3; do
		if [ "$NET_LO" = 1 ]; then
			client "$NET" connect 198.18.0.1 4411 --send $_i
		else
			client "$IP" netns exec "$NETNS" "$NET" connect 198.18.0.1 4411 --send $_i
		fi
		[ "$CRC" = 0 ] || break
		_ports="$_ports $(sed -n 's/^connected local_port=//p' "$WORK/client.out")"
	done
	wait $SPID
	_src=$?
	if grep -q "error=EINVAL" "$WORK/serve.out"; then
		skip net_accept_io_uring_multishot "this kernel has no multishot accept (5.19+): $(head -c 200 "$WORK/serve.out")"
		return
	fi
	[ "$CRC" = 0 ] && [ $_src = 0 ] ||
		{ fail net_accept_io_uring_multishot "client: $(cat "$WORK/client.out"), server rc=$_src: $(head -c 300 "$WORK/serve.out")"; return; }
	for _p in $_ports; do
		nev net_accept_io_uring_multishot net network_accept $SPID "$_p" '.network_accept.io_uring == true' || return
		check net_accept_io_uring_multishot "$NX" '.network_accept.socket.local_port == 4411' || return
	done
	ok net_accept_io_uring_multishot
}

# The reverse-shell shape: a shell started with a socket on stdin and
# stdout (nc -e /bin/sh, bash -i >& /dev/tcp/…) is flagged stdioSocket
t_net_reverse_shell() {
	serve nx 198.18.0.2 4450 || { fail net_reverse_shell "server did not start"; return; }
	# a shell that is gone at once: told by the kernel at exec, not raced from /proc
	client "$NET" exec-after-connect 198.18.0.2 4450 -- /bin/sh -c 'exit 0'
	wait $SPID
	_x=$(wait_event net stdioSocket ".process_exec.process.pid == $CPID" "$NET_WAIT")
	[ -n "$_x" ] || { fail net_reverse_shell "no process_exec of /bin/sh (pid $CPID) flagged stdioSocket: $(grep -F "\"pid\":$CPID," "$WORK/net.json" | grep process_exec | head -n 2 | cut -c1-600)"; return; }
	# selected by the rule on the flag; the client's own exec (no socket yet) by the next
	check net_reverse_shell "$_x" '.process_exec.policy.rule == "reverse-shell"' || return
	_y=$(grep -F '"process_exec"' "$WORK/net.json" | grep -F "\"pid\":$CPID," | grep -v stdioSocket | head -n 1)
	check net_reverse_shell "$_y" '.process_exec.policy.rule == "execs"' && ok net_reverse_shell
}

# Every other backend this kernel can run, forced: a connection reported
# from call to close, and a deny rule (with `fallback: kill`, which is what
# fentry does with it).
t_net_backends() {
	_def=$(echo "$PROBE" | jq -r '.sensors.network')
	_tried=""
	cat >"$WORK/nback.yaml" <<'EOF'
name: net-backend
mode: enforce
rules:
  - name: no-4431
    on: [network_connect]
    match:
      port: [4431]
    action: deny
    fallback: kill
  - name: everything
    on: [network_connect, network_close]
EOF
	for _b in lsm cgroup fentry; do
		[ "$_b" = "$_def" ] && continue
		case $_b in
		lsm) have lsm_prog && have lsm_active || continue ;;
		cgroup) have cgroup_v2 || continue ;;
		fentry) have fentry || continue ;;
		esac
		_tried="$_tried $_b"
		pol_agent nb nback --backend network=$_b || { fail net_backends "agent with --backend network=$_b did not start"; return; }
		serve nx 198.18.0.2 4430 --reply 4 || { agent_stop nb; fail net_backends "server did not start"; return; }
		client "$NET" connect 198.18.0.2 4430 --send 9
		wait $SPID
		_c=$CPID
		client "$NET" connect 198.18.0.2 4431
		_d=$CPID _drc=$CRC _dout=$(cat "$WORK/client.out")
		_e=0
		nev net_backends nb network_close $_c 4430 &&
			check net_backends "$NX" '.network_close.bytes_sent == "9" and .network_close.bytes_received == "4"' || _e=1
		if [ "$_b" = fentry ]; then
			[ "$_drc" = 137 ] || { fail net_backends "$_b: a deny rule with fallback kill: rc=$_drc $_dout (want 137)"; _e=1; }
		else
			[ "$_drc" != 0 ] && echo "$_dout" | grep -q EPERM || { fail net_backends "$_b: denied connect: rc=$_drc $_dout"; _e=1; }
		fi
		nev net_backends nb network_connect $_d 4431 || _e=1
		agent_stop nb
		[ $_e = 0 ] || return
	done
	if [ -z "$_tried" ]; then
		skip net_backends "no backend but $_def on this kernel"
		return
	fi
	ok net_backends
}

NET_TESTS="t_net_connect_v4 t_net_connect_v6 t_net_accept t_net_accept_io_uring t_net_accept_io_uring_multishot t_net_loopback t_net_refused t_net_udp t_net_bash_devtcp t_net_reverse_shell t_net_dns t_net_dns_tcp t_net_dns_tcp_pipelined t_net_dns_v6_ext"
NET_OWN_TESTS="t_net_deny t_net_backends t_net_default"

net_tests() {
	# shellcheck disable=SC2086
	file_selected $NET_TESTS $NET_OWN_TESTS || return 0
	NET_WAIT=$((5 * SLOW))
	sensor_backend network net || return 0
	[ -x "$NET" ] || { fail net "$PG_HELPERS/pg-net is missing (make tests)"; return 0; }
	if ! net_setup; then
		net_cleanup
		skip net "cannot make the test network (ip netns, veth): ${IP:-no ip command}"
		return 0
	fi
	n_policy_all
	# shellcheck disable=SC2086
	policy_suite net nall network $NET_TESTS
	for _t in $NET_OWN_TESTS; do
		run_test "$_t"
	done
	net_cleanup
}
