using System.CommandLine;

namespace Platform.Cli;

/// <summary>Every command of the tool, by area.</summary>
internal static class Commands
{
    public static IEnumerable<Command> All(CommandContext context) =>
    [
        AccountCommands.Login(), AccountCommands.Status(context), TopicCommands.Create(context), ProduceCommand.Create(context),
        ConsumeCommand.Create(context), GroupCommands.Create(context), KeyCommands.Create(context),
        AlertingCommands.Rules(context), AlertingCommands.Alerts(context), AlertingCommands.Silences(context),
        NotificationCommands.Create(context), JobCommands.Create(context), OtlpCommand.Create(context), CompletionCommand.Create(),
    ];
}
