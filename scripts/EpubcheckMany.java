// Runs EPUBCheck on many books in one Java process, for scripts/epubcheck-books:
// starting Java and loading EPUBCheck's schemas took most of the time of a
// check when each book had its own process. Each book is checked exactly as
// `java -jar epubcheck.jar BOOK --json WORK/INDEX.json` would check it, its
// console output going to WORK/INDEX.log.
//
//   java -cp epubcheck.jar scripts/EpubcheckMany.java WORK INDEX BOOK [INDEX BOOK]...

import com.adobe.epubcheck.tool.EpubChecker;
import java.io.FileOutputStream;
import java.io.PrintStream;

public class EpubcheckMany {
    public static void main(String[] args) throws Exception {
        if (args.length < 3 || args.length % 2 == 0) {
            System.err.println("usage: EpubcheckMany WORK INDEX BOOK [INDEX BOOK]...");
            System.exit(2);
        }
        String work = args[0];
        PrintStream console = System.out;
        PrintStream consoleErr = System.err;
        for (int i = 1; i < args.length; i += 2) {
            String index = args[i];
            String book = args[i + 1];
            try (PrintStream log = new PrintStream(new FileOutputStream(work + "/" + index + ".log"), true, "UTF-8")) {
                System.setOut(log);
                System.setErr(log);
                try {
                    new EpubChecker().run(new String[] {book, "--json", work + "/" + index + ".json"});
                } catch (RuntimeException e) {
                    // No JSON report then: epubcheck-books fails the book and shows this log.
                    e.printStackTrace(log);
                } finally {
                    System.setOut(console);
                    System.setErr(consoleErr);
                }
            }
        }
    }
}
