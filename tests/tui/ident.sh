#!/bin/bash
# The screen's share of issue 11, through tmux, on the fixture host
# tests/fixtures/ident: the VM column when there is room (and none when
# there is not), a device's identity and owner in its details, and a
# stranded device with the command that recovers it.
# shellcheck source=tests/tui/lib.sh
. "$(dirname "$0")/lib.sh"

ID=$top_srcdir/tests/fixtures/ident
export VFIOMIGTOP_PCI_IDS=$ID/pci.ids VFIOMIGTOP_PROC_ROOT=$ID/proc

t_top 160 40 -d 0.2 --src "$ID/debugfs" --sysfs "$ID/sysfs"
t_ok "the VM and DRIVER columns' headings" t_wait_re $W 'DEVICE +STATE +TIME +TR +VM +DRIVER'
t_ok "a device's VM (QEMU's -name) and driver" t_wait_re $W '0000:3b:00\.2 +RUNNING .* web1,prod +mlx5_vfio_pci *$'
t_ok "another VM" t_wait_re $W '0000:5e:00\.1 +RUNNING .* hisi-vm +hisi_acc_vfio_pci *$'
t_ok "nobody holds it: -" t_wait_re $W '0000:af:00\.1 +STOP .* - +- *$'

# Rows by name: 0000:17:00.0, 0000:3b:00.2, ...; the second one's details.
t_keys Down Enter
t_ok "details: identity from sysfs and pci.ids" t_wait $W \
	'mlx5_vfio_pci, Mellanox Technologies ConnectX Family mlx5Gen Virtual Function [15b3:101e], VF of 0000:3b:00.0'
t_ok "details: the owner and its VM" t_has 'pid 4242 qemu-system-x86 (VM web1,prod)'
t_ok "details: can it migrate" t_has 'yes (stop-copy, p2p, pre-copy)'
t_keys q Down Down Down Down Enter
t_ok "details: a stranded device" t_wait $W 'left in STOP for'
t_ok "details: ... how to recover it" t_has 'no driver bound: bind one to reset it'
t_ok "details: what sysfs could not tell" t_has 'vendor/device: not a PCI ID'
t_keys q

# Too narrow for it: no VM column, the state column stays.
t_resize 44 20
t_ok "narrow: the VM column gives way" t_wait_not $W 'web1,prod'
t_not "narrow: no VM heading" t_has ' VM'
t_ok "narrow: the state column stays" t_wait_re $W 'DEVICE +STATE'
t_keys q
t_done
