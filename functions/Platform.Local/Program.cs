using Platform.Local;

return await LocalPlatform.RunAsync(args, Console.Error);
