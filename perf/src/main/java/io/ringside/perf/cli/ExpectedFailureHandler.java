package io.ringside.perf.cli;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import io.ringside.engine.EngineException;
import io.ringside.journal.JournalException;
import org.apache.kafka.common.KafkaException;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.IExitCodeExceptionMapper;
import picocli.CommandLine.ParseResult;

/**
 * An expected failure of a running command: prints {@code <command>: <message>} on standard error, one line and no
 * stack trace, and gives exit code 1, or the code the command's {@link IExitCodeExceptionMapper} gives.
 * Expected are I/O errors ({@link IOException}, {@link UncheckedIOException}), the engine's and the journal's refusals
 * ({@link EngineException}, {@link JournalException}), Kafka's errors, and the {@link IllegalArgumentException}s and
 * {@link IllegalStateException}s of the checks the libraries make. Anything else is a bug: rethrown, so that
 * picocli prints its stack trace (exit code 1).
 */
final class ExpectedFailureHandler implements IExecutionExceptionHandler
{
    @Override
    public int handleExecutionException(final Exception ex, final CommandLine commandLine, final ParseResult parseResult) throws Exception
    {
        final String message = message(ex);
        if (message == null)
        {
            throw ex;
        }
        commandLine.getErr().println(commandLine.getCommandSpec().qualifiedName() + ": " + message);
        commandLine.getErr().flush();
        final IExitCodeExceptionMapper mapper = commandLine.getExitCodeExceptionMapper();
        return mapper != null ? mapper.getExitCode(ex) : commandLine.getCommandSpec().exitCodeOnExecutionException();
    }

    /**
     * @return what to tell the operator about an expected failure, or null if it is not one.
     */
    static String message(final Throwable ex)
    {
        if (ex instanceof UncheckedIOException || ex instanceof ExecutionException)
        {
            // a wrapper: its cause says what went wrong, its own message (if it has one of its own) where
            final String cause = ex.getCause() == null ? null : message(ex.getCause());
            final String own = ex.getMessage();
            return cause == null || own == null || own.equals(ex.getCause().toString()) ? cause : own + ": " + cause;
        }
        if (ex instanceof FileSystemException && ((FileSystemException)ex).getReason() == null)
        {
            return fileSystem((FileSystemException)ex);
        }
        if (ex instanceof KafkaException && ex.getCause() != null && ex.getCause().getMessage() != null)
        {
            // "Failed to create new KafkaAdminClient": the cause says why
            final String own = ex.getMessage();
            final String cause = ex.getCause().getMessage();
            return own == null ? cause : own.contains(cause) ? own : own + ": " + cause;
        }
        if (ex instanceof TimeoutException)
        {
            // a future's get(timeout) that ran out, e.g. Kafka's admin client with no broker answering
            return ex.getMessage() != null ? ex.getMessage() : "timed out waiting for an answer";
        }
        if (ex instanceof IOException || ex instanceof EngineException || ex instanceof JournalException || ex instanceof KafkaException ||
            ex instanceof IllegalArgumentException || ex instanceof IllegalStateException)
        {
            return ex.getMessage() != null ? ex.getMessage() : ex.getClass().getSimpleName();
        }
        return null;
    }

    /**
     * Java's file system exceptions name only the file when the operating system gave no reason: say what they mean.
     */
    private static String fileSystem(final FileSystemException ex)
    {
        final String what = ex instanceof NoSuchFileException ? "no such file or directory" :
            ex instanceof AccessDeniedException ? "permission denied" :
            ex instanceof FileAlreadyExistsException ? "file exists" :
            ex instanceof NotDirectoryException ? "not a directory" :
            ex instanceof DirectoryNotEmptyException ? "directory not empty" : ex.getClass().getSimpleName();
        return what + ": " + ex.getMessage();
    }
}
