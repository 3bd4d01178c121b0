package io.zerocopy.testkit;

import java.io.IOException;

import io.zerocopy.spi.ChannelKind;
import io.zerocopy.spi.Outcome;
import io.zerocopy.spi.Transfer;
import io.zerocopy.spi.TransferStrategy;

/** A strategy made of a name and a body, serving every pair: for tests of one behaviour of the engine. */
public final class InlineStrategy implements TransferStrategy {

    /** What the strategy does with a transfer. */
    @FunctionalInterface
    public interface Body {
        /**
         * @param t the transfer
         * @return the outcome
         * @throws IOException as a strategy may
         */
        Outcome transfer(Transfer t) throws IOException;
    }

    private final String name;
    private final Body body;

    private InlineStrategy(String name, Body body) {
        this.name = name;
        this.body = body;
    }

    /**
     * @param name the strategy's name
     * @param body what it does
     * @return the strategy
     */
    public static TransferStrategy of(String name, Body body) {
        return new InlineStrategy(name, body);
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean supports(ChannelKind source, ChannelKind target, long size) {
        return true;
    }

    @Override
    public Outcome transfer(Transfer t) throws IOException {
        return body.transfer(t);
    }

    @Override
    public String toString() {
        return name;
    }
}
