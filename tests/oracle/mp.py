"""tests/oracle/mp.py METHOD: python's multiprocessing with one start
method (fork, forkserver or spawn): Pool.map and imap_unordered, a Pool
whose workers are replaced every five tasks (forked from the pool's
handler thread under fork), a Queue fed by three processes, and a
Manager's dict and list shared by eight processes.  Prints one line per
check, the same natively and under forksafe."""
import multiprocessing as mp
import sys


def square(x):
    return x * x


def produce(q, base):
    for i in range(100):
        q.put(base + i)
    q.put(None)


def share(d, lst, i):
    d[i] = i * i
    lst.append(i)


def main(method):
    ctx = mp.get_context(method)
    with ctx.Pool(4) as pool:
        print(method, "Pool.map", sum(pool.map(square, range(1000))))
        got = sorted(pool.imap_unordered(square, range(50)))
        print(method, "Pool.imap_unordered", len(got), sum(got))
    with ctx.Pool(2, maxtasksperchild=5) as pool:
        print(method, "Pool maxtasksperchild=5", sum(pool.map(square, range(100), chunksize=1)))

    q = ctx.Queue()
    procs = [ctx.Process(target=produce, args=(q, 1000 * k)) for k in range(3)]
    for p in procs:
        p.start()
    got, ends = [], 0
    while ends < 3:
        x = q.get(timeout=120)
        if x is None:
            ends += 1
        else:
            got.append(x)
    for p in procs:
        p.join()
    print(method, "Queue", len(got), sum(got), [p.exitcode for p in procs])

    with ctx.Manager() as m:
        d, lst = m.dict(), m.list()
        procs = [ctx.Process(target=share, args=(d, lst, i)) for i in range(8)]
        for p in procs:
            p.start()
        for p in procs:
            p.join()
        print(method, "Manager", sorted(d.items()), sorted(lst), [p.exitcode for p in procs])


if __name__ == "__main__":
    main(sys.argv[1])
