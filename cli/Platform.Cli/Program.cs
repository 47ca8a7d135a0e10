return await Platform.Cli.CliApp.RunAsync(
    args, Console.Out, Console.Error, Console.IsInputRedirected ? Console.In : null, CancellationToken.None,
    terminal: Console.IsInputRedirected ? null : Console.In, stderrIsTerminal: !Console.IsErrorRedirected);
