package io.ringside.journal;

import java.io.BufferedOutputStream;
import java.io.PrintStream;
import java.nio.file.Path;

import org.agrona.concurrent.UnsafeBuffer;

/**
 * Child process of {@link JournalCrashTest}: opens the journal (recovering it), finds the last record
 * index, then appends test records forever, printing "index position" after each commit. The parent
 * kills it with SIGKILL. With argument "hold" it only opens the journal, prints "locked" and waits.
 */
public final class CrashingAppenderMain
{
    private CrashingAppenderMain()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        final int segmentSize = Integer.parseInt(args[1]);
        final DurabilityPolicy policy = DurabilityPolicy.parse(args[2]);
        final PrintStream out = new PrintStream(new BufferedOutputStream(System.out, 1 << 16), false, "US-ASCII");
        try (JournalAppender appender = JournalAppender.open(new JournalContext().directory(dir).segmentSize(segmentSize).durability(policy)))
        {
            if (args.length > 3 && args[3].equals("hold"))
            {
                out.println("locked");
                out.flush();
                Thread.sleep(60_000);
                return;
            }
            long next = 0;
            try (JournalReader reader = JournalReader.open(dir))
            {
                for (JournalRecord record = reader.next(); record != null; record = reader.next())
                {
                    next = record.sourceOffset() + 1;
                }
            }
            out.println("start " + next + " " + appender.recovery().truncated());
            out.flush();
            final UnsafeBuffer scratch = TestRecords.scratch();
            for (long i = next; ; i++)
            {
                final long position = TestRecords.append(appender, scratch, i);
                if ((i & 15) == 15)
                {
                    appender.endOfBatch();
                }
                out.print(i);
                out.print(' ');
                out.println(position);
                out.flush();
            }
        }
    }
}
