// pagmo_bench - pagmo2 peers for bench/quality.
//
//   pagmo_bench FUNCTION DIM BUDGET SEED ALGORITHM
//   ALGORITHM: sga | archi | de | sa
//
// Prints one JSON line: {"tool":"pagmo-ALG","function":..,"seed":..,"evaluations":..,"best":..}
// "evaluations" is the problem's own feval count (summed over islands); it never exceeds BUDGET.
//
// Settings (library defaults unless listed):
//   sga   pop 50, gen = BUDGET/50 - 1; exponential crossover cr 0.9, polynomial mutation
//         m 0.02 eta 1, tournament of 2, elitist reinsertion (pagmo defaults)
//   archi 4 islands of sga (as above) with per-island budget BUDGET/4, ring topology,
//         p2p migration of the best individual (select_best(1), fair_replace(1)) every
//         MIGRATE_EVERY generations; islands run as threads, so migration timing makes
//         the result not bit-reproducible
//   de    pop 50, gen = BUDGET/50 - 1, F 0.8, CR 0.9, rand/1/exp (variant 2);
//         ftol = xtol = 0 so it never stops before the budget is spent
//   sa    Corana SA from one random point, Ts 10, Tf 0.1, n_T_adj 10, n_range_adj 1,
//         bin_size = (BUDGET-1)/(10*DIM) (one evolve spends n_T_adj*n_range_adj*bin_size*DIM)
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <stdexcept>
#include <string>

#include <pagmo/algorithm.hpp>
#include <pagmo/algorithms/de.hpp>
#include <pagmo/algorithms/sga.hpp>
#include <pagmo/algorithms/simulated_annealing.hpp>
#include <pagmo/archipelago.hpp>
#include <pagmo/population.hpp>
#include <pagmo/problem.hpp>
#include <pagmo/topologies/ring.hpp>

using namespace pagmo;

static const unsigned POP = 50, ISLANDS = 4, MIGRATE_EVERY = 5;

// The standard benchmark functions on their usual domains (minimisation).
struct bench_fn {
    std::string name = "sphere";
    unsigned dim = 10;

    vector_double fitness(const vector_double &x) const
    {
        const double pi = 3.14159265358979323846;
        double n = x.size(), s = 0, s2 = 0, p = 1;
        if (name == "sphere") {
            for (double v : x) s += v * v;
        } else if (name == "rastrigin") {
            for (double v : x) s += v * v - 10 * std::cos(2 * pi * v);
            s += 10 * n;
        } else if (name == "rosenbrock") {
            for (size_t i = 0; i + 1 < x.size(); i++)
                s += 100 * std::pow(x[i + 1] - x[i] * x[i], 2) + std::pow(1 - x[i], 2);
        } else if (name == "ackley") {
            for (double v : x) s += v * v, s2 += std::cos(2 * pi * v);
            s = -20 * std::exp(-0.2 * std::sqrt(s / n)) - std::exp(s2 / n) + 20 + std::exp(1.0);
        } else if (name == "griewank") {
            for (size_t i = 0; i < x.size(); i++)
                s += x[i] * x[i] / 4000, p *= std::cos(x[i] / std::sqrt(i + 1.0));
            s = s - p + 1;
        }
        return {s};
    }
    std::pair<vector_double, vector_double> get_bounds() const
    {
        double lo = -5.12, hi = 5.12;
        if (name == "rosenbrock") lo = -5, hi = 10;
        if (name == "ackley") lo = -32.768, hi = 32.768;
        if (name == "griewank") lo = -600, hi = 600;
        return {vector_double(dim, lo), vector_double(dim, hi)};
    }
    std::string get_name() const { return name; }
};

static sga make_sga(unsigned gen, unsigned seed)
{
    return sga(gen, .90, 1., .02, 1., 2u, "exponential", "polynomial", "tournament", seed);
}

int main(int argc, char **argv)
{
    if (argc != 6) {
        std::fprintf(stderr, "usage: %s FUNCTION DIM BUDGET SEED sga|archi|de|sa\n", argv[0]);
        return 2;
    }
    bench_fn f;
    f.name = argv[1];
    f.dim = std::atoi(argv[2]);
    unsigned budget = std::atoi(argv[3]), seed = std::atoi(argv[4]);
    std::string alg = argv[5];
    const std::string known = " sphere rastrigin rosenbrock ackley griewank ";
    if (known.find(" " + f.name + " ") == std::string::npos || f.dim < 1) {
        std::fprintf(stderr, "unknown function or bad dimension\n");
        return 2;
    }
    problem prob{f};
    double best;
    unsigned long long fevals = 0;

    if (alg == "sga" || alg == "de") {
        if (budget < 2 * POP) throw std::invalid_argument("budget too small");
        unsigned gen = budget / POP - 1;
        algorithm a = alg == "sga" ? algorithm(make_sga(gen, seed))
                                   : algorithm(de(gen, 0.8, 0.9, 2u, 0., 0., seed));
        population pop = a.evolve(population(prob, POP, seed));
        best = pop.champion_f()[0];
        fevals = pop.get_problem().get_fevals();
    } else if (alg == "archi") {
        unsigned per = budget / ISLANDS;
        if (per < 2 * POP) throw std::invalid_argument("budget too small");
        unsigned gen = per / POP - 1, epochs = gen / MIGRATE_EVERY, rest = gen % MIGRATE_EVERY;
        archipelago archi{ring{}};
        for (unsigned i = 0; i < ISLANDS; i++)
            archi.push_back(make_sga(MIGRATE_EVERY, seed * 100 + i), prob, POP, seed * 100 + i);
        archi.evolve(epochs);
        archi.wait_check();
        if (rest) { // the generations left over after the last full epoch
            for (unsigned i = 0; i < ISLANDS; i++)
                archi[i].set_algorithm(algorithm{make_sga(rest, seed * 100 + 50 + i)});
            archi.evolve(1);
            archi.wait_check();
        }
        best = INFINITY;
        for (const auto &isl : archi) {
            population pop = isl.get_population();
            best = std::fmin(best, pop.champion_f()[0]);
            fevals += pop.get_problem().get_fevals();
        }
    } else if (alg == "sa") {
        unsigned bin = (budget - 1) / (10 * f.dim);
        if (bin < 1) throw std::invalid_argument("budget too small");
        algorithm a{simulated_annealing(10., .1, 10u, 1u, bin, 1., seed)};
        population pop = a.evolve(population(prob, 1, seed));
        best = pop.champion_f()[0];
        fevals = pop.get_problem().get_fevals();
    } else {
        std::fprintf(stderr, "unknown algorithm %s\n", alg.c_str());
        return 2;
    }
    std::printf("{\"tool\":\"pagmo-%s\",\"function\":\"%s\",\"seed\":%u,\"evaluations\":%llu,"
                "\"best\":%.10g}\n",
                alg.c_str(), f.name.c_str(), seed, fevals, best);
    return 0;
}
