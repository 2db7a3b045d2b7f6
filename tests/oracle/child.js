// tests/oracle/child.js: node's child_process at work.  Prints one line
// per check, the same natively and under forksafe; exits 0.
//   node child.js             the parent: every check in turn
//   node child.js ipc         the child of fork(): answers over IPC
'use strict';
const cp = require('child_process');
const fs = require('fs');

if (process.argv[2] === 'ipc') {
  process.on('message', (m) => {
    process.send({ echo: m, fdsOk: typeof process.channel !== 'undefined' });
    process.disconnect();
  });
  return;
}

function run(cmd, args, opts) {
  return new Promise((resolve) => {
    const c = cp.spawn(cmd, args, opts);
    let out = '', err = '';
    if (c.stdout) c.stdout.on('data', (d) => { out += d; });
    if (c.stderr) c.stderr.on('data', (d) => { err += d; });
    c.on('error', (e) => resolve({ code: 'error ' + e.code, out, err }));
    c.on('close', (code, sig) => resolve({ code: sig || code, out, err, c }));
    if (opts && opts.input !== undefined) c.stdin.end(opts.input);
  });
}

async function main() {
  // spawn with its three stdio streams piped.
  let r = await new Promise((resolve) => {
    const c = cp.spawn('sh', ['-c', 'tr a-z A-Z; echo to-stderr >&2; exit 3']);
    let out = '', err = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stderr.on('data', (d) => { err += d; });
    c.on('close', (code) => resolve({ code, out, err }));
    c.stdin.end('hello from node\n');
  });
  console.log('spawn stdout=%s stderr=%s status=%s', r.out.trim(), r.err.trim(), r.code);

  // An extra pipe as the child's fd 3, both ways, and nothing else.
  r = await new Promise((resolve) => {
    const c = cp.spawn('sh', ['-c',
      'read x <&3; echo "got $x" >&3; exec 3>&-; env -u LD_PRELOAD sh -c \'echo fds: $(ls /proc/self/fd | sort -n | tr "\\n" " ")\''],
      { stdio: ['ignore', 'pipe', 'inherit', 'pipe'] });
    let out = '', back = '';
    c.stdout.on('data', (d) => { out += d; });
    c.stdio[3].on('data', (d) => { back += d; });
    c.stdio[3].write('ping\n');
    c.on('close', (code) => resolve({ code, out, back }));
  });
  console.log('stdio fd3 back=%s %s status=%s', r.back.trim(), r.out.trim(), r.code);

  // exec (a shell) and execFile (no shell).
  r = await new Promise((resolve) => cp.exec('echo exec-out; echo exec-err >&2; exit 2',
    (e, out, err) => resolve({ code: e ? e.code : 0, out, err })));
  console.log('exec stdout=%s stderr=%s status=%s', r.out.trim(), r.err.trim(), r.code);
  r = await new Promise((resolve) => cp.execFile('printf', ['%s-%s', 'a', 'b'],
    (e, out) => resolve({ code: e ? e.code : 0, out })));
  console.log('execFile stdout=%s status=%s', r.out, r.code);
  console.log('execSync stdout=%s', cp.execSync('echo sync').toString().trim());

  // fork: a node child with an IPC channel.
  r = await new Promise((resolve) => {
    const c = cp.fork(__filename, ['ipc']);
    let got = null;
    c.on('message', (m) => { got = m; });
    c.on('exit', (code) => resolve({ code, got }));
    c.send({ n: 42 });
  });
  console.log('fork ipc reply=%s status=%s', JSON.stringify(r.got), r.code);

  // 100 spawns, 10 at a time.
  let ok = 0;
  for (let i = 0; i < 100; i += 10) {
    const batch = [];
    for (let j = i; j < i + 10; j++)
      batch.push(run('sh', ['-c', 'echo $0', 'n' + j]).then((x) => {
        if (x.code === 0 && x.out.trim() === 'n' + j) ok++;
      }));
    await Promise.all(batch);
  }
  console.log('spawn x100: %d answered', ok);
}
main().then(() => process.exit(0), (e) => { console.log('error: ' + e); process.exit(1); });
