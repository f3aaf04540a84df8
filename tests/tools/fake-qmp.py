#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0-or-later
"""fake-qmp.py SOCKET [--dev ID=HOST[:off]]... [--name VM] [--log FILE]

A QEMU as far as QMP goes, for the tests of vfiomigtop --qmp: it listens
on unix socket SOCKET (several clients at once, as QEMU with one monitor
per client; events go to all),
greets, answers qmp_capabilities, query-name, qom-list, qom-get
(sysfsdev, host, migration-events) and query-migrate, and refuses
anything else (logging it: the tests assert that only queries come).
Every command received goes to --log, one JSON line each.

It is driven by lines on its standard input:
  status STATUS [ERROR-DESC...]   what query-migrate says from now on
  vfio ID STATE                   send a VFIO_MIGRATION event
  migration STATUS                send a MIGRATION event
  garbage                         send a line that is not JSON
  huge                            send a line of 2 MiB
  close                           close the client's connection
  stall                           stop answering (events still go)
  answer                          answer again
  quit                            exit
and says on its standard output "listening", "connected" (after
qmp_capabilities), "closed" and "done CMD" after each input line.
garbage, huge and close apply to every client.
"""

import json
import os
import select
import socket
import sys
import threading


def main():
    args = sys.argv[1:]
    path = args.pop(0)
    devs, name, logf = [], 'fake-vm', None
    while args:
        a = args.pop(0)
        if a == '--dev':
            idv, host = args.pop(0).split('=', 1)
            events = True
            if host.endswith(':off'):
                host, events = host[:-4], False
            devs.append((idv, host, events))
        elif a == '--name':
            name = args.pop(0)
        elif a == '--log':
            logf = open(args.pop(0), 'a', buffering=1)
    try:
        os.unlink(path)
    except OSError:
        pass
    ls = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    ls.bind(path)
    ls.listen(1)
    say = lambda s: (sys.stdout.write(s + '\n'), sys.stdout.flush())
    say('listening')
    clients = {}	# socket -> bytes not parsed yet
    status = {}
    stalled = False

    # One writer at a time: the 2 MiB line of "huge" goes from a thread,
    # and a reply sent in its middle would cut it short.
    wlock = threading.Lock()

    def send_bytes(c, data):
        with wlock:
            try:
                c.sendall(data)
            except OSError:
                pass

    def send(c, obj):
        send_bytes(c, json.dumps(obj).encode() + b'\n')

    def answer(cmd):
        ex = cmd.get('execute')
        a = cmd.get('arguments') or {}
        if ex == 'qmp_capabilities':
            return {}
        if ex == 'query-name':
            return {'name': name}
        if ex == 'query-migrate':
            return status
        if ex == 'qom-list':
            if a.get('path') == '/machine/peripheral':
                return [{'name': 'type', 'type': 'string'}] + [
                    {'name': d[0], 'type': 'child<vfio-pci>'} for d in devs]
            return []
        if ex == 'qom-get':
            for d in devs:
                if a.get('path') == '/machine/peripheral/' + d[0]:
                    if a.get('property') == 'sysfsdev':
                        return '/sys/bus/pci/devices/' + d[1]
                    if a.get('property') == 'migration-events':
                        return d[2]
                    if a.get('property') == 'host':
                        return d[1]
            return None
        return None

    def drop(c):
        c.close()
        del clients[c]
        say('closed')

    stdin_open = True
    while True:
        rl = [ls] + list(clients) + ([sys.stdin] if stdin_open else [])
        r, _, _ = select.select(rl, [], [])
        if ls in r:
            c, _ = ls.accept()
            clients[c] = b''
            send(c, {'QMP': {'version': {'qemu': {'major': 10, 'minor': 0, 'micro': 2}},
                             'capabilities': []}})
        for c in [c for c in r if c in clients]:
            try:
                data = c.recv(65536)
            except OSError:
                data = b''
            if not data:
                drop(c)
                continue
            clients[c] += data
            while c in clients and b'\n' in clients[c]:
                line, clients[c] = clients[c].split(b'\n', 1)
                try:
                    cmd = json.loads(line)
                except ValueError:
                    continue
                if logf:
                    logf.write(json.dumps(cmd) + '\n')
                if stalled:
                    continue
                ret = answer(cmd)
                if ret is None:
                    send(c, {'error': {'class': 'GenericError', 'desc': 'not allowed here'},
                             'id': cmd.get('id')})
                else:
                    send(c, {'return': ret, 'id': cmd.get('id')})
                if cmd.get('execute') == 'qmp_capabilities':
                    say('connected')
        if stdin_open and sys.stdin in r:
            line = sys.stdin.readline()
            if not line:
                stdin_open = False
                continue
            w = line.split()
            if not w:
                continue
            if w[0] == 'status':
                status = {'status': w[1], 'total-time': 1234, 'downtime': 56,
                          'vfio': {'transferred': 96}}
                if len(w) > 2:
                    status['error-desc'] = ' '.join(w[2:])
            elif w[0] == 'vfio':
                for c in list(clients):
                    send(c, {'event': 'VFIO_MIGRATION',
                             'timestamp': {'seconds': 1, 'microseconds': 0},
                             'data': {'device-id': w[1],
                                      'qom-path': '/machine/peripheral/' + w[1],
                                      'device-state': w[2]}})
            elif w[0] == 'migration':
                for c in list(clients):
                    send(c, {'event': 'MIGRATION', 'timestamp': {'seconds': 1, 'microseconds': 0},
                             'data': {'status': w[1]}})
            elif w[0] == 'garbage':
                for c in list(clients):
                    send_bytes(c, b'this is not QMP\n')
            elif w[0] == 'huge':
                def push(c=None):
                    send_bytes(c, b'"' + b'x' * (2 << 20) + b'"\n')
                for c in list(clients):
                    threading.Thread(target=push, kwargs={'c': c}, daemon=True).start()
            elif w[0] == 'close':
                for c in list(clients):
                    drop(c)
            elif w[0] == 'stall':
                stalled = True
            elif w[0] == 'answer':
                stalled = False
            elif w[0] == 'quit':
                say('done quit')
                break
            say('done ' + w[0])
    for c in list(clients):
        c.close()
    ls.close()
    os.unlink(path)


if __name__ == '__main__':
    main()
