# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# tetragon-types.jq: does one penguard event line keep to Cilium Tetragon's
# JSON export (protojson with proto names), so that jq filters written for
# Tetragon keep working on penguard's output?  The facts checked are those
# of shared/tetragon-json.md.
#
#   jq -c -f tests/e2e/tetragon-types.jq EVENTS.json
#
# prints one array per input line: the violations found in that line as
# "path: what is wrong" strings; [] when the line conforms.
#
# What is checked:
#  - top level: node_name (string), time (RFC 3339 UTC timestamp), exactly
#    one event key besides them (and Tetragon's optional cluster_name,
#    node_labels, aggregation_info);
#  - process_exec and penguard's process_fork: process (required), parent,
#    ancestors[]; process_exit: the same plus signal, status, time;
#    any other event kind: its process and parent, when present;
#  - every Process object: each key that Tetragon's Process also has gets
#    Tetragon's JSON type; keys Tetragon does not have (penguard's own, like
#    ppid, comm, cgroup_id, run_time_ns, core_dumped) are not looked at;
#  - protojson omission: a plain (non-wrapper) string/uint32/uint64/bool
#    field is left out when empty/0/false, so present-and-empty is an error
#    (docker "", refcnt 0, status 0, is_host false, …). Wrapper fields
#    (UInt32Value pid, tid, uid, auid, …; BoolValue in_init_tree) are fine
#    at 0/false, and so is exec_id.
#
# Keep it to jq 1.6 (Debian 12): no pick, abs, toarray, getpath/2, $__loc__,
# ltrimstr/splits niceties of later versions.

def cap_names: [
  "CAP_CHOWN", "DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER",
  "CAP_FSETID", "CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP",
  "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST",
  "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
  "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE",
  "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
  "CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD",
  "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP",
  "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
  "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF",
  "CAP_CHECKPOINT_RESTORE"
];

def privilege_names: [
  "PRIVILEGES_RAISED_EXEC_FILE_CAP", "PRIVILEGES_RAISED_EXEC_FILE_SETUID",
  "PRIVILEGES_RAISED_EXEC_FILE_SETGID"
];

def ns_names: [
  "uts", "ipc", "mnt", "pid", "pid_for_children", "net", "time",
  "time_for_children", "cgroup", "user"
];

# Top-level keys of Tetragon's GetEventsResponse that are not the event.
def top_keys: ["node_name", "time", "cluster_name", "node_labels", "aggregation_info"];

# . is one of $list
def member($list): . as $x | any($list[]; . == $x);

# Check .[$k] with f when the key is there. Callers bind everything f needs
# to variables first: f runs with .[$k] as its input.
def opt($k; f): if has($k) then (.[$k] | f) else empty end;
# the same for a key that must be there; $p: the key's own path
def need($p; $k; f): if has($k) then (.[$k] | f) else "\($p): missing" end;

def omitted($p; $what): "\($p): present as \(tojson); protojson leaves \($what) out (omit the key)";

# ---- scalar checks: input is the value, $p its path ----

def chk_string($p):
  if type == "string" then empty else "\($p): expected string, got \(type)" end;

# plain proto3 string: absent when empty
def chk_pstring($p):
  if type != "string" then "\($p): expected string, got \(type)"
  elif . == "" then omitted($p; "an empty plain string")
  else empty end;

# google.protobuf.UInt32Value (or an always-set uint32): 0 is fine
def chk_u32($p):
  if type != "number" then "\($p): expected number (uint32), got \(type)"
  elif (. == floor and . >= 0 and . <= 4294967295) | not then
    "\($p): expected an integer in 0..4294967295, got \(tojson)"
  else empty end;

# plain proto3 uint32: absent when 0
def chk_pu32($p):
  if type == "number" and . == 0 then omitted($p; "a zero plain uint32")
  else chk_u32($p) end;

# google.protobuf.Int32Value
def chk_i32($p):
  if type != "number" then "\($p): expected number (int32), got \(type)"
  elif (. == floor and . >= -2147483648 and . <= 2147483647) | not then
    "\($p): expected an integer in -2147483648..2147483647, got \(tojson)"
  else empty end;

# plain proto3 uint64: a decimal string, absent when 0
def chk_pu64($p):
  if type != "string" then "\($p): expected string (protojson prints a uint64 as a decimal string), got \(type)"
  elif test("^(0|[1-9][0-9]*)$") | not then "\($p): expected a decimal uint64 string, got \(tojson)"
  elif . == "0" then omitted($p; "a zero plain uint64")
  elif length > 20 or (length == 20 and . > "18446744073709551615") then
    "\($p): out of the uint64 range: \(tojson)"
  else empty end;

# google.protobuf.BoolValue: false is fine
def chk_bool($p):
  if type == "boolean" then empty else "\($p): expected boolean, got \(type)" end;

# plain proto3 bool: only ever present as true
def chk_pbool($p):
  if . == true then empty
  elif . == false then omitted($p; "a false plain bool")
  else "\($p): expected boolean true (false is left out), got \(type)" end;

# google.protobuf.Timestamp: RFC 3339, UTC, "Z", 0..9 fraction digits
def chk_time($p):
  if type != "string" then "\($p): expected string (RFC 3339 UTC timestamp), got \(type)"
  elif test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]{1,9})?Z$") | not then
    "\($p): expected an RFC 3339 UTC timestamp like \"2026-11-25T15:54:37.700407192Z\", got \(tojson)"
  elif (.[5:7] | tonumber) as $mo | (.[8:10] | tonumber) as $d
       | (.[11:13] | tonumber) as $h | (.[14:16] | tonumber) as $mi
       | (.[17:19] | tonumber) as $s
       | $mo < 1 or $mo > 12 or $d < 1 or $d > 31 or $h > 23 or $mi > 59 or $s > 59 then
    "\($p): timestamp field out of range: \(tojson)"
  else empty end;

# a space-separated list of words: no leading, trailing, double or other blank
def chk_flags($p):
  if type != "string" then "\($p): expected string (space-separated words), got \(type)"
  elif . == "" then omitted($p; "an empty plain string")
  elif test("^ | $|  ") then "\($p): leading, trailing or double space in \(tojson)"
  elif test("[\t\n\r\f\u000b]") then "\($p): words must be separated by single spaces, got \(tojson)"
  else empty end;

# ---- composite checks ----

def chk_object($p; $what):
  if type == "object" then empty else "\($p): expected object \($what), got \(type)" end;

def chk_string_array($p):
  if type != "array" then "\($p): expected array of strings, got \(type)"
  else range(length) as $i | .[$i] | chk_string("\($p)[\($i)]") end;

# an array of enum names
def chk_enum_array($p; $names; $what):
  if type != "array" then "\($p): expected array of \($what) names, got \(type)"
  else
    range(length) as $i | .[$i]
    | if type != "string" then "\($p)[\($i)]: expected string (\($what) name), got \(type)"
      elif member($names) | not then "\($p)[\($i)]: unknown \($what) name \(tojson)"
      else empty end
  end;

# map<string,string>
def chk_string_map($p):
  if type != "object" then "\($p): expected object (string to string), got \(type)"
  else keys_unsorted[] as $k | .[$k] | chk_string("\($p).\($k)") end;

def chk_caps($p):
  if type != "object" then "\($p): expected object {permitted,effective,inheritable}, got \(type)"
  else
    ("permitted", "effective", "inheritable") as $k
    | opt($k; chk_enum_array("\($p).\($k)"; cap_names; "capability"))
  end;

# Namespace {inum, is_host}
def chk_namespace($p):
  if type != "object" then "\($p): expected object {inum,is_host}, got \(type)"
  else
    (keys_unsorted[] | select(. != "inum" and . != "is_host")
     | "\($p).\(.): unexpected key; a namespace is {inum,is_host}"),
    opt("inum"; chk_pu32("\($p).inum")),
    opt("is_host"; chk_pbool("\($p).is_host"))
  end;

def chk_namespaces($p):
  if type != "object" then "\($p): expected object {\(ns_names | join(","))}, got \(type)"
  else
    keys_unsorted[] as $k
    | if ($k | member(ns_names)) then .[$k] | chk_namespace("\($p).\($k)")
      else "\($p).\($k): not one of Tetragon's namespaces (\(ns_names | join(", ")))" end
  end;

def chk_user_ns($p):
  if type != "object" then "\($p): expected object {level,uid,gid,ns}, got \(type)"
  else
    opt("level"; chk_i32("\($p).level")),
    opt("uid"; chk_u32("\($p).uid")),
    opt("gid"; chk_u32("\($p).gid")),
    opt("ns"; chk_namespace("\($p).ns"))
  end;

def chk_credentials($p):
  if type != "object" then "\($p): expected object, got \(type)"
  else
    (("uid", "gid", "euid", "egid", "suid", "sgid", "fsuid", "fsgid") as $k
     | opt($k; chk_u32("\($p).\($k)"))),
    opt("securebits"; chk_string_array("\($p).securebits")),
    opt("caps"; chk_caps("\($p).caps")),
    opt("user_ns"; chk_user_ns("\($p).user_ns"))
  end;

def chk_binary_properties($p):
  if type != "object" then "\($p): expected object {setuid,setgid,privileges_changed,file}, got \(type)"
  else
    opt("setuid"; chk_u32("\($p).setuid")),
    opt("setgid"; chk_u32("\($p).setgid")),
    opt("privileges_changed"; chk_enum_array("\($p).privileges_changed"; privilege_names; "privilege change")),
    opt("file";
      if type != "object" then "\($p).file: expected object {inode,path}, got \(type)"
      else
        opt("inode";
          if type != "object" then "\($p).file.inode: expected object {number,links}, got \(type)"
          else
            opt("number"; chk_pu64("\($p).file.inode.number")),
            opt("links"; chk_u32("\($p).file.inode.links"))
          end),
        opt("path"; chk_pstring("\($p).file.path"))
      end)
  end;

def chk_user($p):
  if type != "object" then "\($p): expected object {name}, got \(type)"
  else opt("name"; chk_string("\($p).name")) end;

def chk_environment($p):
  if type != "array" then "\($p): expected array of {key,value}, got \(type)"
  else
    range(length) as $i | .[$i]
    | if type != "object" then "\($p)[\($i)]: expected object {key,value}, got \(type)"
      else
        need("\($p)[\($i)].key"; "key"; chk_pstring("\($p)[\($i)].key")),
        opt("value"; chk_pstring("\($p)[\($i)].value"))
      end
  end;

def chk_pod($p):
  if type != "object" then "\($p): expected object, got \(type)"
  else
    (("namespace", "name", "workload", "workload_kind") as $k | opt($k; chk_pstring("\($p).\($k)"))),
    opt("labels"; chk_string_array("\($p).labels")),
    opt("pod_labels"; chk_string_map("\($p).pod_labels")),
    opt("container";
      if type != "object" then "\($p).container: expected object, got \(type)"
      else
        (("id", "name") as $k | opt($k; chk_pstring("\($p).container.\($k)"))),
        opt("image"; chk_object("\($p).container.image"; "{id,name}")),
        opt("start_time"; chk_time("\($p).container.start_time")),
        opt("pid"; chk_u32("\($p).container.pid")),
        opt("maybe_exec_probe"; chk_pbool("\($p).container.maybe_exec_probe")),
        opt("security_context"; chk_object("\($p).container.security_context"; ""))
      end)
  end;

# One Tetragon Process: only keys Tetragon's Process has are looked at.
def chk_process($p):
  if type != "object" then "\($p): expected object (Process), got \(type)"
  else
    opt("exec_id"; chk_string("\($p).exec_id")),
    (("pid", "tid", "uid", "auid") as $k | opt($k; chk_u32("\($p).\($k)"))),
    (("cwd", "binary", "arguments", "docker", "parent_exec_id") as $k
     | opt($k; chk_pstring("\($p).\($k)"))),
    opt("flags"; chk_flags("\($p).flags")),
    opt("start_time"; chk_time("\($p).start_time")),
    opt("pod"; chk_pod("\($p).pod")),
    opt("refcnt"; chk_pu32("\($p).refcnt")),
    opt("cap"; chk_caps("\($p).cap")),
    opt("ns"; chk_namespaces("\($p).ns")),
    opt("process_credentials"; chk_credentials("\($p).process_credentials")),
    opt("binary_properties"; chk_binary_properties("\($p).binary_properties")),
    opt("user"; chk_user("\($p).user")),
    opt("in_init_tree"; chk_bool("\($p).in_init_tree")),
    opt("environment_variables"; chk_environment("\($p).environment_variables"))
  end;

def chk_ancestors($p):
  if type != "array" then "\($p): expected array of Process, got \(type)"
  else range(length) as $i | .[$i] | chk_process("\($p)[\($i)]") end;

# process_exec, process_fork: {process, parent, ancestors[]}
def chk_exec_body($p):
  need("\($p).process"; "process"; chk_process("\($p).process")),
  opt("parent"; chk_process("\($p).parent")),
  opt("ancestors"; chk_ancestors("\($p).ancestors"));

# process_exit: {process, parent, signal, status, time, ancestors[]}
def chk_exit_body($p):
  chk_exec_body($p),
  opt("signal"; chk_pstring("\($p).signal")),
  opt("status"; chk_pu32("\($p).status")),
  need("\($p).time"; "time"; chk_time("\($p).time"));

def chk_event($k):
  if type != "object" then "\($k): expected object, got \(type)"
  elif $k == "process_exec" or $k == "process_fork" then chk_exec_body($k)
  elif $k == "process_exit" then chk_exit_body($k)
  else
    # another kind (Tetragon's process_kprobe, …): its Process objects
    opt("process"; chk_process("\($k).process")),
    opt("parent"; chk_process("\($k).parent"))
  end;

if type != "object" then ["event: expected object, got \(type)"]
else
  [
    need("node_name"; "node_name"; chk_pstring("node_name")),
    need("time"; "time"; chk_time("time")),
    opt("cluster_name"; chk_pstring("cluster_name")),
    opt("node_labels"; chk_string_map("node_labels")),
    opt("aggregation_info"; chk_object("aggregation_info"; "")),
    ([keys_unsorted[] | select(member(top_keys) | not)] as $events
     | (if ($events | length) == 1 then empty
        else "event: expected exactly one event key besides node_name and time, got \($events | length)\(if ($events | length) > 0 then " (\($events | join(", ")))" else "" end)"
        end),
       ($events[] as $k | .[$k] | chk_event($k)))
  ]
end
