using System.Globalization;
using System.Reflection;
using System.Text.RegularExpressions;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Options;
using NCrontab;
using Platform.Core.Consumers;
using Platform.Core.Options;
using Platform.Core.Storage.Azure;

namespace Platform.Local.Functions;

/// <summary>
/// Runs the Functions app's timer- and queue-triggered functions without the Functions host: timers on their
/// CRON schedules (six fields with seconds, or a TimeSpan), queues polled as the queue extension does, following
/// host.json's <c>extensions.queues</c>: message encoding (a body that does not decode fails the invocation), batches
/// of <c>batchSize</c> fetched again once in-flight messages drop to <c>newBatchThreshold</c>, a failed message
/// visible again after <c>visibilityTimeout</c>, moved to <c>{queue}-poison</c> after <c>maxDequeueCount</c>
/// deliveries, idle polling backing off to <c>maxPollingInterval</c>.
/// </summary>
public sealed partial class LocalTriggerHost(IEnumerable<LocalFunction> functions, IServiceProvider services, IConfiguration configuration, QueueSettings queueSettings, ILogger<LocalTriggerHost> logger) : BackgroundService
{
    /// <summary>Resolves <c>%setting%</c> binding expressions from configuration, as the Functions host does.</summary>
    public static string Resolve(string expression, IConfiguration configuration) =>
        SettingPattern().Replace(expression, m => configuration[m.Groups[1].Value]
            ?? throw new InvalidOperationException($"The binding expression '{expression}' names setting '{m.Groups[1].Value}', which is not set."));

    /// <inheritdoc />
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var loops = new List<Task>();
        foreach (LocalFunction function in functions)
        {
            switch (function.Trigger)
            {
                case "timerTrigger":
                    loops.Add(RunTimerAsync(function, Resolve(function.Source!, configuration), stoppingToken));
                    break;
                case "queueTrigger":
                    loops.Add(RunQueueAsync(function, Resolve(function.Source!, configuration), stoppingToken));
                    break;
            }
        }

        return Task.WhenAll(loops);
    }

    private async Task RunTimerAsync(LocalFunction function, string schedule, CancellationToken stoppingToken)
    {
        Func<DateTime, DateTime> next = TimeSpan.TryParse(schedule, CultureInfo.InvariantCulture, out TimeSpan every)
            ? now => now + every
            : CrontabSchedule.Parse(schedule, new CrontabSchedule.ParseOptions { IncludingSeconds = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries).Length == 6 }).GetNextOccurrence;
        while (!stoppingToken.IsCancellationRequested)
        {
            DateTime now = DateTime.SpecifyKind(TimeProvider.System.GetUtcNow().UtcDateTime, DateTimeKind.Unspecified);
            TimeSpan wait = next(now) - now;
            try
            {
                await Task.Delay(wait > TimeSpan.Zero ? wait : TimeSpan.Zero, stoppingToken);
                await InvokeAsync(function, new TimerInfo(), stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                LogInvocationFailed(logger, ex, function.Name);
            }
        }
    }

    private async Task RunQueueAsync(LocalFunction function, string queueName, CancellationToken stoppingToken)
    {
        // The trigger's own connection setting, read as the extension reads it (an error when it is not set, as the
        // Functions host would fail the function); raw bodies: they are decoded here, as the extension does, so that one
        // that does not decode fails its invocation (and goes to the poison queue as it came).
        StorageOptions storage = services.GetRequiredService<IOptions<StorageOptions>>().Value;
        string setting = function.Connection ?? WakeupMessage.ConnectionSetting;
        QueueClient queue = StorageClients.QueueThroughSetting(configuration, setting, null, storage, queueName, QueueMessageEncoding.None);
        QueueClient poison = StorageClients.QueueThroughSetting(configuration, setting, null, storage, queueName + "-poison", QueueMessageEncoding.None);
        TimeSpan idle = TimeSpan.FromMilliseconds(50);
        int inFlight = 0;
        var running = new List<Task>();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                running.RemoveAll(t => t.IsCompleted);
                if (Volatile.Read(ref inFlight) > queueSettings.NewBatchThreshold)
                {
                    await Task.WhenAny(running).WaitAsync(stoppingToken);
                    continue;
                }

                await queue.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                QueueMessage[] messages = await queue.ReceiveMessagesAsync(queueSettings.BatchSize, TimeSpan.FromMinutes(5), stoppingToken);
                if (messages.Length == 0)
                {
                    // Back off while idle, up to host.json's maxPollingInterval.
                    await Task.Delay(idle, stoppingToken);
                    idle = TimeSpan.FromMilliseconds(Math.Min(idle.TotalMilliseconds * 2, queueSettings.MaxPollingInterval.TotalMilliseconds));
                    continue;
                }

                idle = TimeSpan.FromMilliseconds(50);
                foreach (QueueMessage message in messages)
                {
                    Interlocked.Increment(ref inFlight);
                    running.Add(HandleAndCountAsync(message));
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                LogQueueFailed(logger, ex, queueName);
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken);
            }
        }

        await Task.WhenAll(running);

        async Task HandleAndCountAsync(QueueMessage message)
        {
            try
            {
                await HandleMessageAsync(function, queue, poison, message, stoppingToken);
            }
            catch (Exception ex) when (ex is OperationCanceledException or Azure.RequestFailedException)
            {
                // stopping, or the queue itself failed: the message becomes visible again and is delivered again
            }
            finally
            {
                Interlocked.Decrement(ref inFlight);
            }
        }
    }

    private async Task HandleMessageAsync(LocalFunction function, QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken stoppingToken)
    {
        if (!TryDecode(message.Body, out string? text) || message.DequeueCount > queueSettings.MaxDequeueCount)
        {
            // As the extension does: a body that does not decode, or one delivered more often than allowed, goes to
            // the poison queue at once, as it came, without invoking the function.
            await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
            await poison.SendMessageAsync(message.Body, cancellationToken: stoppingToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
            return;
        }

        try
        {
            await InvokeAsync(function, text, stoppingToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
        }
        catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
        {
            LogInvocationFailed(logger, ex, function.Name);
            if (message.DequeueCount >= queueSettings.MaxDequeueCount)
            {
                await poison.CreateIfNotExistsAsync(cancellationToken: stoppingToken);
                await poison.SendMessageAsync(message.Body, cancellationToken: stoppingToken);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, stoppingToken);
            }
            else
            {
                await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: queueSettings.VisibilityTimeout, cancellationToken: stoppingToken);
            }
        }
    }

    /// <summary>The message text as the extension hands it to a string parameter; false for a body that does not decode.</summary>
    private bool TryDecode(BinaryData body, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out string? text)
    {
        text = body.ToString();
        if (!queueSettings.Base64)
        {
            return true;
        }

        byte[] buffer = new byte[text.Length];
        if (!Convert.TryFromBase64String(text, buffer, out int written))
        {
            text = null;
            return false;
        }

        text = System.Text.Encoding.UTF8.GetString(buffer, 0, written);
        return true;
    }

    private async Task InvokeAsync(LocalFunction function, object trigger, CancellationToken cancellationToken)
    {
        await using AsyncServiceScope scope = services.CreateAsyncScope();
        MethodInfo method = function.Method;
        object? instance = method.IsStatic ? null : ActivatorUtilities.CreateInstance(scope.ServiceProvider, method.DeclaringType!);
        object?[] args = [.. method.GetParameters().Select(p => p.ParameterType == typeof(CancellationToken) ? cancellationToken : p.ParameterType.IsInstanceOfType(trigger) ? trigger : throw new InvalidOperationException($"The local host cannot bind parameter '{p.Name}' of {function.Name}."))];
        try
        {
            if (method.Invoke(instance, args) is Task task)
            {
                await task;
            }
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
        }
    }

    [GeneratedRegex("%([^%]+)%")]
    private static partial Regex SettingPattern();

    [LoggerMessage(Level = LogLevel.Error, Message = "Function {Function} failed")]
    private static partial void LogInvocationFailed(ILogger logger, Exception exception, string function);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Polling queue {Queue} failed; retrying")]
    private static partial void LogQueueFailed(ILogger logger, Exception exception, string queue);
}
