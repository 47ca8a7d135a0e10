using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Platform.Core.Streams.Definition;

namespace Platform.Core.Streams.Running;

/// <summary>
/// At start: stores the job definitions of <c>Platform:Streams:Directory</c> (each file named after its job). A
/// definition that cannot run stops start-up, naming the file and the reason; one stored already is left as it is.
/// </summary>
internal sealed class StreamJobsStartup(StreamJobCatalog catalog, IOptions<StreamOptions> options) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (options.Value.Directory is not { Length: > 0 } directory) return;
        foreach (string file in Directory.EnumerateFiles(directory).Where(f => Path.GetExtension(f) is ".yaml" or ".yml" or ".json").Order(StringComparer.Ordinal))
        {
            string name = Path.GetFileNameWithoutExtension(file);
            try
            {
                await catalog.PutAsync(name, await File.ReadAllTextAsync(file, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            }
            catch (StreamJobException e)
            {
                throw new InvalidOperationException($"Stream job file {file}: {e.Message}", e);
            }
            catch (StreamJobConflictException)
            {
                // Stored already with another definition (changed over HTTP, or the file was edited): the stored one stays.
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
