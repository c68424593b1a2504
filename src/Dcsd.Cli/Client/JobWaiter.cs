using System.Globalization;
using System.Text.Json.Nodes;
using Spectre.Console;

namespace Dcsd.Cli.Client;

/// <summary>
/// `--wait`: polls a job's record until its status is final, showing its <c>progress</c> as a live bar on a terminal and
/// as one plain line per change otherwise. Ctrl-C cancels only the polling: the job runs on in dcsd.
/// </summary>
internal sealed class JobWaiter(string subject, Func<CancellationToken, Task<JsonNode>> fetch, IReadOnlySet<string> finalStatuses)
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(400);

    public static readonly IReadOnlySet<string> RecordFinal = new HashSet<string>(StringComparer.Ordinal) { "succeed", "failed", "deleted" };

    public static readonly IReadOnlySet<string> TaskFinal = new HashSet<string>(StringComparer.Ordinal) { "SUCCESS", "FAILED" };

    public static readonly IReadOnlySet<string> InstanceFinal = new HashSet<string>(StringComparer.Ordinal) { "RUNNING", "CREATEFAILED", "ERROR" };

    /// <summary>Follows the job; the final record, or null when Ctrl-C stopped the waiting (a line on stderr says so).</summary>
    public async Task<JsonNode?> WaitAsync(bool quiet, CancellationToken cancellationToken)
    {
        try
        {
            bool live = !quiet && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
            return live ? await WaitWithBarAsync(cancellationToken).ConfigureAwait(false) : await WaitWithLinesAsync(quiet, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"dcs: stopped waiting; {subject} goes on in dcsd");
            return null;
        }
    }

    private async Task<JsonNode> WaitWithBarAsync(CancellationToken cancellationToken)
    {
        JsonNode? last = null;
        await AnsiConsole.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var bar = context.AddTask(Markup.Escape(subject), maxValue: 100);
                while (true)
                {
                    last = await fetch(cancellationToken).ConfigureAwait(false);
                    var (status, progress) = StateOf(last);
                    bar.Description = Markup.Escape($"{subject}: {status}");
                    if (progress is { } value)
                    {
                        bar.Value = value;
                    }

                    if (finalStatuses.Contains(status))
                    {
                        if (progress is null)
                        {
                            bar.Value = 100;
                        }

                        bar.StopTask();
                        return;
                    }

                    await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
                }
            }).ConfigureAwait(false);
        return last!;
    }

    private async Task<JsonNode> WaitWithLinesAsync(bool quiet, CancellationToken cancellationToken)
    {
        string? shown = null;
        while (true)
        {
            var record = await fetch(cancellationToken).ConfigureAwait(false);
            var (status, progress) = StateOf(record);
            string line = progress is { } value ? string.Create(CultureInfo.InvariantCulture, $"{subject}: {status} {value:0.00}%") : $"{subject}: {status}";
            if (line != shown)
            {
                // With --json stdout holds only the body; the lines go to stderr so a script still sees something move.
                (quiet ? Console.Error : Console.Out).WriteLine(line);
                shown = line;
            }

            if (finalStatuses.Contains(status))
            {
                return record;
            }

            await Task.Delay(PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    private static (string Status, double? Progress) StateOf(JsonNode record)
    {
        string status = (string?)record["status"] ?? "unknown";
        double? progress = (string?)record["progress"] is { } text && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out double value) ? value : null;
        return (status, progress);
    }
}
