using Dcsd.Service.Jobs;
using Microsoft.Extensions.Options;

namespace Dcsd.Service.Tests.Jobs;

public sealed class JobWorkerTests
{
    [Fact]
    public async Task Jobs_of_all_kinds_together_stay_within_the_global_bound_and_each_kind_within_its_own()
    {
        var running = new Counter();
        var kinds = new[] { new GatedKind("a", 3, running), new GatedKind("b", 3, running), new GatedKind("c", 1, running) };
        var worker = new JobWorker(kinds, Options.Create(new DcsdOptions { MaxConcurrentJobs = 4 }));
        foreach (var kind in kinds)
        {
            for (int i = 0; i < 6; i++)
            {
                kind.Queue.Enqueue($"{kind.Name}{i}");
            }
        }

        await worker.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => kinds.Sum(k => k.Done) == 18);
        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(4, running.Max);
        Assert.All(kinds, kind => Assert.True(kind.MaxSeen <= kind.MaxConcurrent, $"{kind.Name} ran {kind.MaxSeen} at once"));
        Assert.All(kinds, kind => Assert.True(kind.Recovered));
    }

    [Fact]
    public async Task Stopping_cancels_running_jobs_and_waits_for_them_to_end()
    {
        var kind = new GatedKind("slow", 2, new Counter()) { Hold = Timeout.InfiniteTimeSpan };
        var worker = new JobWorker([kind], Options.Create(new DcsdOptions { MaxConcurrentJobs = 2 }));
        kind.Queue.Enqueue("x");
        kind.Queue.Enqueue("y");
        await worker.StartAsync(CancellationToken.None);
        await WaitUntilAsync(() => kind.Started == 2);

        await worker.StopAsync(CancellationToken.None);

        Assert.Equal(2, kind.Cancelled);
        Assert.Equal(0, kind.Done);
    }

    private static async Task WaitUntilAsync(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (!condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "timed out");
            await Task.Delay(10);
        }
    }

    private sealed class Counter
    {
        private int _now;
        private int _max;

        public int Max => Volatile.Read(ref _max);

        public int Enter()
        {
            int now = Interlocked.Increment(ref _now);
            int max;
            while (now > (max = Volatile.Read(ref _max)) && Interlocked.CompareExchange(ref _max, now, max) != max)
            {
            }

            return now;
        }

        public void Exit() => Interlocked.Decrement(ref _now);
    }

    private sealed class GatedKind(string name, int maxConcurrent, Counter global) : IJobKind
    {
        private readonly Counter _own = new();
        private int _done;
        private int _started;
        private int _cancelled;

        public string Name => name;

        public JobQueue<GatedKind> Queue { get; } = new();

        public TimeSpan Hold { get; init; } = TimeSpan.FromMilliseconds(30);

        public bool Recovered { get; private set; }

        public int MaxConcurrent => maxConcurrent;

        public int MaxSeen => _own.Max;

        public int Done => Volatile.Read(ref _done);

        public int Started => Volatile.Read(ref _started);

        public int Cancelled => Volatile.Read(ref _cancelled);

        public Task RecoverAsync(CancellationToken cancellationToken)
        {
            Recovered = true;
            return Task.CompletedTask;
        }

        public IAsyncEnumerable<string> ReadQueuedAsync(CancellationToken cancellationToken) => Queue.ReadAllAsync(cancellationToken);

        public async Task RunAsync(string id, CancellationToken cancellationToken)
        {
            global.Enter();
            _own.Enter();
            Interlocked.Increment(ref _started);
            try
            {
                await Task.Delay(Hold, cancellationToken);
                Interlocked.Increment(ref _done);
            }
            catch (OperationCanceledException)
            {
                Interlocked.Increment(ref _cancelled);
            }
            finally
            {
                _own.Exit();
                global.Exit();
            }
        }
    }
}
