package io.ringside.perf.cli;

import java.util.concurrent.Callable;

import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * A command of {@code ./ringside}: picocli sets its options, {@link #check()} checks them against each other (and
 * anything else that can be checked before it starts), then {@link #run()} runs it. An
 * {@link IllegalArgumentException} from {@code check()} is misuse, reported as picocli's own parse errors are
 * ({@link MisuseHandler}, exit code 2); whatever {@code run()} throws goes to {@link ExpectedFailureHandler}.
 * Every command gets {@code -h, --help}.
 */
public abstract class CheckedCommand implements Callable<Integer>
{
    @Mixin
    private HelpOption help;

    @Spec
    private CommandSpec spec;

    /**
     * Checks the options; the default checks nothing.
     *
     * @throws IllegalArgumentException saying which option is wrong and why.
     */
    protected void check()
    {
    }

    /**
     * Runs the command; returning is exit code 0.
     *
     * @throws Exception an expected failure ({@link ExpectedFailureHandler}) or a bug.
     */
    protected abstract void run() throws Exception;

    @Override
    public final Integer call() throws Exception
    {
        try
        {
            check();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new ParameterException(spec.commandLine(), ex.getMessage(), ex);
        }
        run();
        return 0;
    }
}
