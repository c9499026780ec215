/* mlp_check.c - the multilayer perceptron's backward pass against finite differences. */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>

#include "core/error.h"
#include "ml/mlp.h"
#include "ml/mlp_impl.h"

/* The full-batch loss of the check: mean data loss plus 0.5 * decay * |W|^2. */
static double check_loss(mlp_trainer *t)
{
    mlp_model *m = t->model;
    mlp_work *w = &t->work;
    size_t n = t->data->n;
    atoll_mlp_forward(m, w, t->data->x, n, true, 0.0, NULL);
    double loss = atoll_mlp_output_loss(m, w->z, n, t->labels, t->targets, 0.0f) / (double)n;
    double squares = 0.0;
    for (size_t i = 0; i < m->n_weights; i++)
        squares += (double)m->params[i] * (double)m->params[i];
    return loss + 0.5 * t->c.weight_decay * squares;
}

/* Record (record) or compare with `pattern` which relu units of the last forward pass over
 * `rows` rows are active; false when one has crossed its kink since. Other activations have
 * no kinks. */
static bool same_kinks(const mlp_model *m, const mlp_work *w, size_t rows, unsigned char *pattern,
                       bool record)
{
    if (m->activation != ACT_RELU)
        return true;
    bool same = true;
    size_t k = 0;
    for (int l = 0; l + 1 < m->n_layers; l++)
        for (size_t i = 0; i < rows * m->width[l + 1]; i++, k++) {
            unsigned char on = w->act[l][i] > 0.0f;
            if (record)
                pattern[k] = on;
            same = same && pattern[k] == on;
        }
    return same;
}

int atoll_mlp_gradient_check(const double *hp, const atoll_dataset *data, uint64_t seed,
                             double *max_rel_error)
{
    mlp_config c;
    atoll_mlp_config_read(hp, &c);
    if (c.dropout > 0.0)
        return ATOLL_RAISE(ATOLL_ERR_USAGE, "mlp gradient check: needs dropout 0");
    c.patience = 0;
    c.batch_size = data ? data->n : 1;
    mlp_trainer t;
    ATOLL_CALL(atoll_mlp_trainer_open(&t, &c, data, seed));
    mlp_model *m = t.model;
    mlp_work *w = &t.work;
    size_t n = data->n, units = 0;
    for (int l = 0; l + 1 < m->n_layers; l++)
        units += m->width[l + 1];
    float *analytic = malloc(m->n_params * sizeof *analytic);
    unsigned char *pattern = malloc(n * units);
    if (!analytic || !pattern) {
        free(analytic);
        free(pattern);
        atoll_mlp_trainer_close(&t);
        return ATOLL_NOMEM("mlp gradient check");
    }
    atoll_mlp_forward(m, w, data->x, n, true, 0.0, NULL);
    same_kinks(m, w, n, pattern, true);
    atoll_mlp_output_loss(m, w->z, n, t.labels, t.targets, 1.0f / (float)n);
    atoll_mlp_backward(m, w, data->x, n, false);
    float decay = (float)c.weight_decay;
    for (size_t i = 0; i < m->n_params; i++)
        analytic[i] = w->grad[i] + (i < m->n_weights ? decay * m->params[i] : 0.0f);

    /* Tensors in parameter order: the weight matrices, the bias vectors, then each batch-norm
     * scale and shift. A parameter whose perturbation moves a relu unit across its kink is
     * skipped: the loss has no derivative in between. */
    size_t bounds[2 * MLP_MAX_LAYERS + 2 * MLP_MAX_HIDDEN + 1], n_tensors = 0;
    for (int l = 0; l < m->n_layers; l++)
        bounds[n_tensors++] = m->w_off[l];
    for (int l = 0; l < m->n_layers; l++)
        bounds[n_tensors++] = m->b_off[l];
    size_t end = m->b_off[m->n_layers - 1] + m->width[m->n_layers];
    for (int l = 0; m->batch_norm && l + 1 < m->n_layers; l++) {
        bounds[n_tensors++] = m->gamma_off[l];
        bounds[n_tensors++] = m->beta_off[l];
        end = m->beta_off[l] + m->width[l + 1];
    }
    bounds[n_tensors] = end;
    double worst = 0.0;
    for (size_t k = 0; k < n_tensors; k++) {
        double largest = 0.0, error = 0.0;
        for (size_t i = bounds[k]; i < bounds[k + 1]; i++) {
            float kept = m->params[i], h = 1e-2f * fmaxf(1.0f, fabsf(kept));
            m->params[i] = kept + h;
            float up = m->params[i];
            double loss_up = check_loss(&t);
            bool smooth = same_kinks(m, w, n, pattern, false);
            m->params[i] = kept - h;
            float down = m->params[i];
            double loss_down = check_loss(&t);
            smooth = smooth && same_kinks(m, w, n, pattern, false);
            m->params[i] = kept;
            largest = fmax(largest, fabs((double)analytic[i]));
            if (smooth) {
                double numeric = (loss_up - loss_down) / ((double)up - (double)down);
                error = fmax(error, fabs((double)analytic[i] - numeric));
            }
        }
        worst = fmax(worst, largest > 0.0 ? error / largest : error);
    }
    *max_rel_error = worst;
    free(analytic);
    free(pattern);
    atoll_mlp_trainer_close(&t);
    return ATOLL_OK;
}
