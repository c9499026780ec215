#!/usr/bin/env python3
"""DEAP's standard GA, as a peer for bench/quality.

    deap_ga.py FUNCTION DIM BUDGET SEED

The eaSimple loop (selection, varAnd, evaluate the invalidated individuals) with the
operators of DEAP's real-valued examples:
  population 50, selTournament(tournsize=3), cxSimulatedBinaryBounded(eta=15),
  mutPolynomialBounded(eta=20, indpb=1/DIM), cxpb 0.9, mutpb 1.0, no elitism
  (the best individual ever evaluated is kept in a HallOfFame and reported).
Evaluations are counted and stop at BUDGET exactly: the last generation is truncated.
Prints one JSON line: {"tool":"deap-ga","function":..,"seed":..,"evaluations":..,"best":..}
"""
import json
import math
import random
import sys

from deap import algorithms, base, creator, tools


def sphere(x):
    return sum(v * v for v in x)


def rastrigin(x):
    return 10 * len(x) + sum(v * v - 10 * math.cos(2 * math.pi * v) for v in x)


def rosenbrock(x):
    return sum(100 * (b - a * a) ** 2 + (1 - a) ** 2 for a, b in zip(x, x[1:]))


def ackley(x):
    n = len(x)
    s1 = sum(v * v for v in x) / n
    s2 = sum(math.cos(2 * math.pi * v) for v in x) / n
    return -20 * math.exp(-0.2 * math.sqrt(s1)) - math.exp(s2) + 20 + math.e


def griewank(x):
    p = 1.0
    for i, v in enumerate(x):
        p *= math.cos(v / math.sqrt(i + 1))
    return 1 + sum(v * v for v in x) / 4000 - p


FUNCTIONS = {  # function, lower bound, upper bound
    "sphere": (sphere, -5.12, 5.12),
    "rastrigin": (rastrigin, -5.12, 5.12),
    "rosenbrock": (rosenbrock, -5.0, 10.0),
    "ackley": (ackley, -32.768, 32.768),
    "griewank": (griewank, -600.0, 600.0),
}
POP, CXPB, MUTPB, ETA_CX, ETA_MUT, TOURN = 50, 0.9, 1.0, 15.0, 20.0, 3


def main():
    if len(sys.argv) != 5 or sys.argv[1] not in FUNCTIONS:
        sys.exit("usage: deap_ga.py {%s} DIM BUDGET SEED" % "|".join(FUNCTIONS))
    name, dim, budget, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
    func, lo, hi = FUNCTIONS[name]
    random.seed(seed)

    creator.create("FitnessMin", base.Fitness, weights=(-1.0,))
    creator.create("Individual", list, fitness=creator.FitnessMin)
    tb = base.Toolbox()
    tb.register("attr", random.uniform, lo, hi)
    tb.register("individual", tools.initRepeat, creator.Individual, tb.attr, dim)
    tb.register("population", tools.initRepeat, list, tb.individual)
    tb.register("mate", tools.cxSimulatedBinaryBounded, eta=ETA_CX, low=lo, up=hi)
    tb.register("mutate", tools.mutPolynomialBounded, eta=ETA_MUT, low=lo, up=hi, indpb=1.0 / dim)
    tb.register("select", tools.selTournament, tournsize=TOURN)

    hof = tools.HallOfFame(1)
    used = 0

    def evaluate(pop):  # evaluate invalid individuals until the budget is spent
        nonlocal used
        todo = [ind for ind in pop if not ind.fitness.valid][: budget - used]
        for ind in todo:
            ind.fitness.values = (func(ind),)
        used += len(todo)
        hof.update([ind for ind in pop if ind.fitness.valid])

    pop = tb.population(n=POP)
    evaluate(pop)
    while used < budget:  # eaSimple's generation loop
        offspring = algorithms.varAnd(tb.select(pop, len(pop)), tb, CXPB, MUTPB)
        evaluate(offspring)
        pop[:] = offspring

    print(json.dumps({"tool": "deap-ga", "function": name, "seed": seed,
                      "evaluations": used, "best": hof[0].fitness.values[0]}))


if __name__ == "__main__":
    main()
