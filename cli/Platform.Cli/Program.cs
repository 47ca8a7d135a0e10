return await Platform.Cli.CliApp.RunAsync(args, Console.Out, Console.Error, Console.IsInputRedirected ? Console.In : null, CancellationToken.None);
