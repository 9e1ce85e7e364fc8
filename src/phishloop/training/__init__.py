"""Training the message model (`phishloop train`): labelled files in, a model file out.

Needs scikit-learn (`pip install 'phishloop[train]'`); the analysis core never imports this
package — it reads the resulting file with `phishloop.core.classify.learn`.
"""
