// tests/oracle/Launch.java: the JVM's process launcher at work, as a
// build tool or a CI server uses it.  Prints one line per check, the same
// natively and under forksafe.
//
//   piped      a child with its stdin, stdout and stderr piped: what it
//              reads, writes to each and its exit status
//   inherit    a child with inheritIO(): it writes to this JVM's stdout
//              itself; and the fds a program it starts inherits (0, 1,
//              2 and the one ls reads /proc/self/fd with: the launcher's
//              helper closes the rest), listed without forksafe loaded
//   concurrent 50 children started at once from a pool of 8 threads,
//              each piped; how many answered with their own number
import java.io.*;
import java.nio.charset.StandardCharsets;
import java.util.*;
import java.util.concurrent.*;

public class Launch {
    static String readAll(InputStream in) throws IOException {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }

    static void piped() throws Exception {
        Process p = new ProcessBuilder("sh", "-c",
                "tr a-z A-Z; echo to-stderr >&2; exit 3").start();
        try (OutputStream o = p.getOutputStream()) {
            o.write("hello from java\n".getBytes(StandardCharsets.UTF_8));
        }
        String out = readAll(p.getInputStream()).trim();
        String err = readAll(p.getErrorStream()).trim();
        System.out.println("piped stdout=" + out + " stderr=" + err
                + " status=" + p.waitFor());
    }

    static void inherit() throws Exception {
        System.out.flush();
        Process p = new ProcessBuilder("sh", "-c",
                "echo inherited; env -u LD_PRELOAD sh -c "
                + "'echo fds: $(ls /proc/self/fd | sort -n | tr \"\\\\n\" \" \")'")
                .inheritIO().start();
        System.out.println("inherit status=" + p.waitFor());
    }

    static void concurrent() throws Exception {
        final int n = 50;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> results = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            final int id = i;
            results.add(pool.submit(() -> {
                go.await();
                Process p = new ProcessBuilder("sh", "-c", "read x; echo $x-$0", "" + id)
                        .redirectErrorStream(true).start();
                try (OutputStream o = p.getOutputStream()) {
                    o.write(("n" + id + "\n").getBytes(StandardCharsets.UTF_8));
                }
                String out = readAll(p.getInputStream()).trim();
                return p.waitFor() == 0 && out.equals("n" + id + "-" + id);
            }));
        }
        go.countDown();
        int ok = 0;
        List<String> errors = new ArrayList<>();
        for (Future<Boolean> f : results) {
            try {
                if (f.get()) ok++;
            } catch (ExecutionException e) {
                errors.add(String.valueOf(e.getCause()));
            }
        }
        pool.shutdown();
        System.out.println("concurrent " + ok + "/" + n + " answered");
        for (String e : new TreeSet<>(errors)) System.out.println("  error: " + e);
    }

    public static void main(String[] args) throws Exception {
        for (String a : args) {
            try {
                switch (a) {
                case "piped": piped(); break;
                case "inherit": inherit(); break;
                case "concurrent": concurrent(); break;
                default: throw new IllegalArgumentException(a);
                }
            } catch (IOException e) {
                System.out.println(a + " failed: " + e.getMessage());
            }
        }
    }
}
