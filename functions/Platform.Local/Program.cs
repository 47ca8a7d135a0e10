using Platform.Local;

await LocalPlatform.RunAsync(args);
