package io.shmlink.shm.testing;

import io.shmlink.api.Subscriber;
import io.shmlink.shm.ShmRegistry;

import java.time.Duration;

/**
 * Child JVM: receives {@code count} messages of a {@link MessageStream} and checks every byte; prints
 * {@code OK <count>} or {@code FAIL <what>}.
 * Args: directory channel count seed
 */
public final class StreamVerifierMain
{
    public static void main(final String[] args)
    {
        final StreamArgs stream = StreamArgs.parse(args);
        // the claim timeout of the parent's registry in CrossProcessSpscTest: on a loaded machine the publishing
        // thread can stand still for longer than the default 1 s between claim and commit, and this subscriber
        // would then skip the claim, count it lost and fail on the gap; the test checks bytes, not stall recovery
        final ShmRegistry.Options options = new ShmRegistry.Options().claimTimeout(Duration.ofSeconds(30));
        try (ShmRegistry registry = ShmRegistry.open(stream.dir(), options);
            Subscriber subscriber = registry.subscriber(stream.channel()))
        {
            System.out.println("ATTACHED");
            System.out.flush();
            final int maxLength = registry.lookup(stream.channel()).orElseThrow().maxMessageLength();
            final StreamVerifier verifier = new StreamVerifier(new MessageStream(stream.seed(), maxLength), 0);
            verifier.receive(subscriber, stream.count(), 60_000);
            System.out.println(verifier.failure() == null ? "OK " + verifier.next() : "FAIL " + verifier.failure());
        }
        System.out.flush();
    }
}
