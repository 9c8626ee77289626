using OrleansRaft.Cli;

Timings.Mark("main");
var code = await CliApp.RunAsync(args);
Timings.Mark("exit");
return code;
