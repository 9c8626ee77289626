using OrleansRaft.EtcdBench;

// etcd-vs-orleansraft.sh drives both commands; see bench/README.md.
return args.FirstOrDefault() switch
{
    "load" => await LoadCommand.RunAsync(args[1..]),
    "serve" => await ServeCommand.RunAsync(args[1..]),
    "budget" => await BudgetCommand.RunAsync(args[1..]),
    "certs" => CertsCommand.Run(args[1..]),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("""
        usage: EtcdBench load --endpoints HOST:PORT[,HOST:PORT...] --op put|get|sget --clients N [--seconds S] [--value-bytes B] [--keys K] [--cacert CA.PEM]
               EtcdBench serve [--port P] [--storage memory|postgres] [--postgres CONNECTION-STRING] [--tls-cert CERT.PEM --tls-key KEY.PEM] [--orleans-tls]
               EtcdBench budget --postgres CONNECTION-STRING [--seconds S] [--runs N]
               EtcdBench certs --out FOLDER
        """);
    return 2;
}
