using Microsoft.AspNetCore.Http;
using Microsoft.Azure.Functions.Worker;

namespace Platform.Functions.Http;

/// <summary>Liveness: answers when the host runs, with its clock (handy for checking seek-by-time inputs).</summary>
public sealed class HealthFunction(TimeProvider time)
{
    [Function("Health")]
    public IResult Run([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        Results.Ok(new { status = "ok", time = time.GetUtcNow() });
}
