#!/bin/bash
# Identity, owners, "can it migrate?" and stranded devices (issue 11), on
# the fixture host tests/fixtures/ident (debugfs, sysfs and /proc trees),
# with a real process holding a fake /dev/vfio file, as a user without
# root, and through the agent protocol.
# shellcheck source=tests/integration/lib.sh
. "$(dirname "$0")/lib.sh"

command -v jq >/dev/null || t_skip "jq is not installed"
ID=$FIXTURES/ident
MTTY=83b8f4f2-509f-382f-3c1e-e6bfe0fa1001
export VFIOMIGTOP_PCI_IDS=$ID/pci.ids

# jqdev FILE NAME FILTER: FILTER applied to device NAME of FILE's last snapshot.
jqdev() {
	grep -a '}$' "$1" | tail -n 1 | jq -r --arg n "$2" ".devices[] | select(.name == \$n) | $3"
}

# ---- identity, owner, can-migrate from the fixture host ----
VFIOMIGTOP_PROC_ROOT=$ID/proc t_run 60 "$T_DIR/j" -b -n 1 --json \
	--src "$ID/debugfs" --sysfs "$ID/sysfs"
t_eq "json: exit status" "$?" 0
J=$T_DIR/j
t_eq "VF: driver" "$(jqdev "$J" 0000:3b:00.2 .ident.driver)" mlx5_vfio_pci
t_eq "VF: vendor from pci.ids" "$(jqdev "$J" 0000:3b:00.2 .ident.vendor)" "Mellanox Technologies"
t_eq "VF: device from pci.ids" "$(jqdev "$J" 0000:3b:00.2 .ident.device)" "ConnectX Family mlx5Gen Virtual Function"
t_eq "VF: its PF" "$(jqdev "$J" 0000:3b:00.2 .ident.pf)" 0000:3b:00.0
t_eq "VF: IOMMU group" "$(jqdev "$J" 0000:3b:00.2 .ident.iommu_group)" 42
t_eq "VF: owner pid" "$(jqdev "$J" 0000:3b:00.2 .owner.pid)" 4242
t_eq "VF: owner's VM name (-name guest=...)" "$(jqdev "$J" 0000:3b:00.2 .owner.vm)" "web1,prod"
t_eq "VF: can migrate" "$(jqdev "$J" 0000:3b:00.2 .can_migrate.answer)" yes
t_eq "mdev: type" "$(jqdev "$J" $MTTY .ident.mdev_type)" mtty-2
t_eq "mdev: type name" "$(jqdev "$J" $MTTY .ident.mdev_type_name)" "Dual port serial"
t_eq "mdev: parent" "$(jqdev "$J" $MTTY .ident.mdev_parent)" mtty
t_eq "mdev: owner through its cdev" "$(jqdev "$J" $MTTY .owner.pid)" 4242
t_eq "mdev: held, so not stranded" "$(jqdev "$J" $MTTY .stranded_no_owner)" null
t_eq "no migration support" "$(jqdev "$J" 0000:17:00.0 .can_migrate.text)" \
	"no: vfio-pci has no migration support"
t_eq "never-opened VF reading ERROR" "$(jqdev "$J" 0000:3b:00.4 .can_migrate.answer)" never-opened
t_eq "never-opened VF: no owner" "$(jqdev "$J" 0000:3b:00.4 .owner)" false
t_eq "never-opened VF: not stranded" "$(jqdev "$J" 0000:3b:00.4 .stranded_no_owner)" null
t_eq "no P2P, two vfio devices in its VM" "$(jqdev "$J" 0000:5e:00.1 .can_migrate.answer)" no-p2p-multi
t_eq "malformed sysfs said" "$(jqdev "$J" 0000:af:00.1 '.ident.problem | test("not a PCI ID") and test("iommu_group")')" true
t_eq "STOP with no owner: stranded" "$(jqdev "$J" 0000:af:00.1 '.stranded_no_owner.recovery')" \
	"no driver bound: bind one to reset it"
t_eq "owner scan counted" "$(tail -n 1 "$J" | jq .owner_scan.processes)" 3

VFIOMIGTOP_PROC_ROOT=$ID/proc t_run 60 "$T_DIR/t" -b -n 1 --src "$ID/debugfs" --sysfs "$ID/sysfs"
t_grep "text: driver, owner and VM" '^src 0000:3b:00\.2 RUNNING .* driver=mlx5_vfio_pci owner=4242 vm=web1,prod$' "$T_DIR/t"
t_grep "text: no P2P" '^src 0000:5e:00\.1 .* migrate=no-p2p-multi' "$T_DIR/t"
t_grep "text: stranded" '^src 0000:af:00\.1 STOP .* owner=none stranded=' "$T_DIR/t"

t_run 60 "$T_DIR/bad" -b -n 1 --src "$ID/debugfs" --sysfs "$T_DIR/nonexistent"
t_eq "--sysfs missing: usage error" "$?" 1
t_grep "--sysfs missing: says which" 'sysfs .*nonexistent' "$T_DIR/bad.err"

# ---- a real process holds the mdev's group: owner, then stranded ----
D=$T_DIR/debugfs
cp -a "$ID/debugfs" "$D"
mkdir -p "$T_DIR/dev/vfio"
: >"$T_DIR/dev/vfio/7"
t_state "$D" 0000:af:00.1 RUNNING	# no other stranded device
VFIOMIGTOP_PROC_ROOT=/proc VFIOMIGTOP_DEV_ROOT=$T_DIR/dev VFIOMIGTOP_OWNER_PERIOD=0.2 \
	t_mon "$T_DIR/m" -b --json -d 0.2 --src "$D" --sysfs "$ID/sysfs"
MON=$T_PID
rm -f "$T_DIR/hold.in"
mkfifo "$T_DIR/hold.in"
python3 "$top_srcdir/tests/tools/hold-open.py" -name guest=holder-vm \
	"$T_DIR/dev/vfio/7" <"$T_DIR/hold.in" >"$T_DIR/hold.out" &
HOLDER=$!
exec 8>"$T_DIR/hold.in"
t_at_exit "kill $HOLDER 2>/dev/null"
t_wait_line '^holding$' "$T_DIR/hold.out"
t_check "a real holder is the owner" t_wait_line \
	"\"name\":\"$MTTY\".*\"owner\":\\{\"pid\":$HOLDER,\"comm\":\"[^\"]*\",\"vm\":\"holder-vm\"" "$T_DIR/m"
t_eq "held in RESUMING: not stranded" "$(jqdev "$T_DIR/m" $MTTY .stranded_no_owner)" null
exec 8>&-	# the holder exits: nobody holds the mdev in RESUMING
wait "$HOLDER"
from=$(t_size "$T_DIR/m")
t_check "the VMM gone: stranded, with its recovery" t_wait_line \
	"\"name\":\"$MTTY\".*\"owner\":false.*\"stranded_no_owner\":\\{\"for\":[0-9.]+,\"recovery\":\"echo 1 > $ID/sysfs/bus/mdev/devices/$MTTY/remove" \
	"$T_DIR/m" "$from"
t_stop "$MON" >/dev/null

# ---- quick owner scans: who held nothing is skipped, holders are not ----
cp -a "$ID/proc" "$T_DIR/qproc"
VFIOMIGTOP_PROC_ROOT=$T_DIR/qproc VFIOMIGTOP_OWNER_PERIOD=0.1 \
	t_mon "$T_DIR/q" -b --json -d 0.1 --src "$ID/debugfs" --sysfs "$ID/sysfs"
QMON=$T_PID
qscan() { grep -a '}$' "$T_DIR/q" | tail -n 1 | jq -r ".owner_scan.$1"; }
t_check "quick scan: the process that held nothing is skipped" \
	t_wait_for "$T_WAIT" eval '[ "$(qscan skipped)" = 1 ]'
t_eq "quick scan: the holders are still known" "$(jqdev "$T_DIR/q" 0000:3b:00.2 .owner.pid)" 4242
rm "$T_DIR"/qproc/4244/fd/*
t_check "quick scan: a holder letting go is seen" t_wait_for "$T_WAIT" \
	eval '[ "$(jqdev "$T_DIR/q" 0000:5e:00.1 .owner)" = false ]'
ln -s /dev/vfio/51 "$T_DIR/qproc/4243/fd/7"
t_check "full scan: a skipped process that took a device is seen" t_wait_for "$T_WAIT" \
	eval '[ "$(jqdev "$T_DIR/q" 0000:5e:00.1 .owner.pid)" = 4243 ]'
# vfiomigtop itself (the proc root's "self") is never looked into: its
# fds are a state file per device, and none is a vfio file.
rm "$T_DIR/qproc/4243/fd/7"
mkdir -p "$T_DIR/qproc/$QMON/fd"
ln -s /dev/vfio/51 "$T_DIR/qproc/$QMON/fd/7"
t_check "self: a process that is not itself is seen" t_wait_for "$T_WAIT" \
	eval '[ "$(jqdev "$T_DIR/q" 0000:5e:00.1 .owner.pid)" = "$QMON" ]'
ln -s "$QMON" "$T_DIR/qproc/self"
t_check "self: itself is not looked into" t_wait_for "$T_WAIT" \
	eval '[ "$(jqdev "$T_DIR/q" 0000:5e:00.1 .owner)" = false ]'
t_stop "$QMON" >/dev/null

# ---- without root: said once, and no device is called unowned ----
if [ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && setpriv --reuid=65534 true 2>/dev/null &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -x "$VFIOMIGTOP" &&
	setpriv --reuid=65534 --regid=65534 --clear-groups test -r "$ID/pci.ids"; then
	setpriv --reuid=65534 --regid=65534 --clear-groups \
		timeout -k 2 60 "$VFIOMIGTOP" -b -n 3 -d 0.3 --json --src "$ID/debugfs" \
		--sysfs "$ID/sysfs" >"$T_DIR/nr" 2>"$T_DIR/nr.err"
	t_eq "not root: runs on" "$?" 0
	t_eq "not root: said once" "$(grep -c 'could not be read (not root)' "$T_DIR/nr.err")" 1
	t_eq "not root: unknown owner, not none" "$(jqdev "$T_DIR/nr" 0000:af:00.1 .owner)" null
	t_eq "not root: so not stranded" "$(jqdev "$T_DIR/nr" 0000:af:00.1 .stranded_no_owner)" null
	t_eq "not root: scan tells" "$(tail -n 1 "$T_DIR/nr" | jq '.owner_scan.unreadable > 0')" true
else
	echo "SKIP: not root, or no setpriv: the unprivileged case is not run"
fi

# ---- --no-owners: no scan at all ----
VFIOMIGTOP_PROC_ROOT=$ID/proc t_run 60 "$T_DIR/no" -b -n 1 --json --no-owners \
	--src "$ID/debugfs" --sysfs "$ID/sysfs"
t_eq "--no-owners: no owner" "$(jqdev "$T_DIR/no" 0000:3b:00.2 .owner)" null
t_eq "--no-owners: no scan" "$(tail -n 1 "$T_DIR/no" | jq .owner_scan)" null

# ---- a driver rebound: read when the device comes back, not polled ----
# No owner scan in this run (a period of an hour), so only the device's
# appearance can make its identity be read again.
cp -a "$ID" "$T_DIR/rb"
RB=$T_DIR/rb
VFIOMIGTOP_PROC_ROOT=$ID/proc VFIOMIGTOP_OWNER_PERIOD=3600 \
	t_mon "$T_DIR/rbj" -b --json -d 0.1 --src "$RB/debugfs" --sysfs "$RB/sysfs"
RBMON=$T_PID
dev_re() { printf '"name":"0000:3b:00\\.2"[^}]*%s' "$1"; }
t_check "rebind: the driver at the start" t_wait_line \
	"$(dev_re '"present":true[^}]*"ident":\{"bus":"pci","driver":"mlx5_vfio_pci"')" "$T_DIR/rbj"
snaps() { grep -c '"type":"snapshot"' "$T_DIR/rbj"; }
n0=$(snaps)
ln -sfn ../../../../bus/pci/drivers/vfio-pci \
	"$RB/sysfs/devices/pci0000:3a/0000:3a:00.0/0000:3b:00.2/driver"
t_wait_for "$T_WAIT" eval '[ "$(snaps)" -ge $((n0 + 5)) ]'
t_eq "rebind: a device that stays is not read again (5 refreshes later)" \
	"$(jqdev "$T_DIR/rbj" 0000:3b:00.2 .ident.driver)" mlx5_vfio_pci
# A device that changes is judged again at once, with no owner scan to
# make every device be judged: unowned 0000:af:00.1 is stranded in STOP,
# not in RUNNING, and stranded again in STOP.
t_eq "changed: stranded in STOP at the start" \
	"$(jqdev "$T_DIR/rbj" 0000:af:00.1 '.stranded_no_owner.recovery != null')" true
printf 'RUNNING\n' > "$RB/debugfs/0000:af:00.1/migration/state"
t_check "changed: judged again at once (no owner scan): not stranded" t_wait_for "$T_WAIT" \
	eval '[ "$(jqdev "$T_DIR/rbj" 0000:af:00.1 .stranded_no_owner)" = null ]'
printf 'STOP\n' > "$RB/debugfs/0000:af:00.1/migration/state"
t_check "changed: stranded again" t_wait_for "$T_WAIT" \
	eval '[ "$(jqdev "$T_DIR/rbj" 0000:af:00.1 .stranded_no_owner.recovery)" != null ]'
mv "$RB/debugfs/0000:3b:00.2" "$RB/away"
t_check "rebind: the device goes" t_wait_line "$(dev_re '"present":false')" "$T_DIR/rbj"
# Gone, it is no longer watched, and keeps what was last known of it.
t_eq "gone: identity as last known" \
	"$(jqdev "$T_DIR/rbj" 0000:3b:00.2 '"\(.present) \(.ident.driver)"')" "false mlx5_vfio_pci"
t_eq "gone: owner as last known" "$(jqdev "$T_DIR/rbj" 0000:3b:00.2 .owner.pid)" 4242
mv "$RB/away" "$RB/debugfs/0000:3b:00.2"
t_check "rebind: back, with the new driver" t_wait_line \
	"$(dev_re '"present":true[^}]*"ident":\{"bus":"pci","driver":"vfio-pci"')" "$T_DIR/rbj"
t_stop "$RBMON" >/dev/null

# ---- a remote side sends its identity and owners (agent protocol) ----
AG="$VFIOMIGTOP --agent -d 0.2 --src $ID/debugfs --sysfs $ID/sysfs"
mkdir -p "$T_DIR/nosys"	# here, nothing is known: all comes from the agent
VFIOMIGTOP_PROC_ROOT=$ID/proc t_mon "$T_DIR/r" -b --json -d 0.2 \
	--src "$ID/debugfs" --sysfs "$T_DIR/nosys" --no-owners --dst "cmd:$AG"
RMON=$T_PID
t_check "remote: identity arrives" t_wait_line \
	'"side":"dst","name":"0000:3b:00\.2".*"ident":\{"bus":"pci","driver":"mlx5_vfio_pci".*"pf":"0000:3b:00\.0"' "$T_DIR/r"
t_check "remote: its owner arrives" t_wait_line \
	'"side":"dst","name":"0000:3b:00\.2".*"owner":\{"pid":4242,"comm":"qemu-system-x86","vm":"web1,prod"' "$T_DIR/r"
t_check "remote: its stranded device, recovered over there" t_wait_line \
	'"side":"dst","name":"0000:af:00\.1".*"owner":false.*"stranded_no_owner":\{"for":[0-9.]+,"recovery":"on [^:"]+: no driver bound' "$T_DIR/r"
t_stop "$RMON" >/dev/null

t_done
