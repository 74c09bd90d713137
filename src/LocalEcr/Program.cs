return await LocalEcr.Hosting.ConsoleHost.RunAsync(args);
