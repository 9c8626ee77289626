using OrleansRaft.Cli;

return await CliApp.RunAsync(args);
