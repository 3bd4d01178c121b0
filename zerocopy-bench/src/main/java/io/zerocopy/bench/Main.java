package io.zerocopy.bench;

public final class Main {
    public static void main(String[] args) { }
}
