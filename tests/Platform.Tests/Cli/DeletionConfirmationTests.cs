using Platform.Cli;

namespace Platform.Tests.Cli;

/// <summary>Deleting a topic or a job: <c>--yes</c>, or the name typed on a terminal; never silently without one.</summary>
public sealed class DeletionConfirmationTests
{
    [Fact]
    public void With_yes_it_goes_at_once_and_asks_nothing()
    {
        using var stderr = new StringWriter();
        Context(stderr, terminal: null).ConfirmDeletion(yes: true, "job", "per-minute", "its state and results");
        Assert.Empty(stderr.ToString());
    }

    [Fact]
    public void Without_yes_or_a_terminal_it_is_refused_saying_what_would_go()
    {
        using var stderr = new StringWriter();
        CliException refused = Assert.Throws<CliException>(() => Context(stderr, terminal: null).ConfirmDeletion(yes: false, "job", "per-minute", "its state and results"));
        Assert.Equal(CliException.Usage, refused.ExitCode);
        Assert.Contains("Deleting job 'per-minute' removes its state and results: add --yes", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void On_a_terminal_the_typed_name_confirms_and_anything_else_does_not()
    {
        using var asked = new StringWriter();
        using (var typed = new StringReader("per-minute\n"))
        {
            Context(asked, typed).ConfirmDeletion(yes: false, "job", "per-minute", "its state and results");
        }

        Assert.Contains("Type its name to confirm", asked.ToString(), StringComparison.Ordinal);
        using var wrong = new StringReader("per-hour\n");
        CliException refused = Assert.Throws<CliException>(() => Context(TextWriter.Null, wrong).ConfirmDeletion(yes: false, "topic", "per-minute", "all its records"));
        Assert.Equal("Not confirmed; nothing deleted.", refused.Message);
    }

    private static CommandContext Context(TextWriter stderr, TextReader? terminal) => new(TextWriter.Null, stderr, null, terminal, stderrIsTerminal: false);
}
