using Microsoft.Extensions.Hosting;

namespace OrleansRaft.Host.Silo;

/// <summary>
/// For a silo the launcher supervises: stops the host, gracefully, when standard input reaches its end. The launcher
/// holds the other end of the pipe, so it closes when the launcher asks the silo to stop, and also when the launcher
/// dies, whatever killed it.
/// </summary>
internal sealed class StandardInputWatch(IHostApplicationLifetime lifetime) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var thread = new Thread(() =>
        {
            using var input = Console.OpenStandardInput();
            var buffer = new byte[256];
            try
            {
                while (input.Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
            catch (IOException)
            {
                // A broken pipe is an end too.
            }

            lifetime.StopApplication();
        })
        {
            IsBackground = true,
            Name = "launcher watch",
        };
        thread.Start();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
